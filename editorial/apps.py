from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        from .roles import sync_roles

        # Permissions only exist after migrate, so the role groups get theirs here.
        post_migrate.connect(sync_roles, dispatch_uid="editorial.sync_roles")
