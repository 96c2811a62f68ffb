from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        from . import addresses  # noqa: F401  (registers the SITE_URL check)
        from .caching import content_changed
        from .roles import sync_roles

        # Permissions only exist after migrate, so the role groups get theirs here.
        post_migrate.connect(sync_roles, dispatch_uid="editorial.sync_roles")
        # Cache invalidation only: any committed content write starts a new version.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_changed, dispatch_uid=f"editorial.cache.{signal}")
