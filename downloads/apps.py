from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "downloads"
    verbose_name = "Downloads"

    def ready(self) -> None:
        from editorial.signals import public_content_changed

        from .requests import request_rebuild

        # Published content changed (committed): ask the worker for new files.
        public_content_changed.connect(
            request_rebuild, dispatch_uid="downloads.request_rebuild"
        )
