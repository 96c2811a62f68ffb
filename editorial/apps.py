from django.apps import AppConfig
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        from . import (
            addresses,  # noqa: F401  (registers the SITE_URL check)
            cache_tags,
            invalidation,
            signals,
        )
        from .roles import sync_roles

        # Permissions only exist after migrate, so the role groups get theirs here.
        post_migrate.connect(sync_roles, dispatch_uid="editorial.sync_roles")
        # Cache tags: every read reports what it shows, every committed write
        # moves the tags it can have changed (editorial/cache_tags.py,
        # editorial/invalidation.py).
        cache_tags.install()
        invalidation.install()
        for signal, receiver in (
            (pre_save, invalidation.before_save),
            (post_save, invalidation.after_save),
            (pre_delete, invalidation.before_delete),
            (post_delete, invalidation.after_save),
            (m2m_changed, invalidation.links_changed),
            (signals.public_content_changed, invalidation.content_published),
        ):
            signal.connect(
                receiver, dispatch_uid=f"editorial.cache.{receiver.__name__}"
            )
