"""The editorial roles, as Django groups, and the permissions each one holds."""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

AUTHOR = "Author"
REVIEWER = "Reviewer"
ADMINISTRATOR = "Administrator"
ROLES = (AUTHOR, REVIEWER, ADMINISTRATOR)

# Apps whose models are editorial content; named here, not imported.
CONTENT_APPS = ("incidents", "glossary")
EDITOR_ACTIONS = ("add", "change", "view")
# Apps whose records every editor works on without being content (readers'
# submissions to triage); each adds its label here from its AppConfig.ready().
WORK_APPS: list[str] = []


def role_permissions(role: str) -> list[Permission]:
    """Return the model permissions a role grants."""
    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    if role == ADMINISTRATOR:
        return list(
            Permission.objects.filter(
                # axes: administrators unlock editors who were locked out.
                content_type__app_label__in=(
                    *CONTENT_APPS,
                    *WORK_APPS,
                    "auth",
                    "editorial",
                    "axes",
                    # outbox: administrators watch outgoing mail (read-only);
                    # subscriptions: they delete a reader's address on request.
                    "outbox",
                    "subscriptions",
                )
            )
        )
    work = Permission.objects.filter(content_type__app_label__in=WORK_APPS)
    granted = [
        p for p in [*content, *work] if p.codename.split("_", 1)[0] in EDITOR_ACTIONS
    ]
    if role == REVIEWER:
        granted += Permission.objects.filter(
            content_type__app_label="editorial",
            codename__in=("review_change", "view_auditevent"),
        )
    return granted


def sync_roles(**kwargs) -> None:
    """Create the role groups if missing and give each its permissions."""
    if not global_apps.is_installed("django.contrib.auth"):
        return
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))


def has_role(user, *roles: str) -> bool:
    """Return whether the user belongs to one of the roles (superusers do)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()
