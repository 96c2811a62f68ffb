from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Readers' subscriptions"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects to public_content_changed
