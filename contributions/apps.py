from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Reader submissions"

    def ready(self) -> None:
        from editorial import dashboard, roles
        from editorial.admin import edit_form_panels

        from . import triage_panels

        roles.WORK_APPS.append(self.label)
        dashboard.panels.append(triage_panels.dashboard_panel)
        edit_form_panels.append(triage_panels.correction_panel)
