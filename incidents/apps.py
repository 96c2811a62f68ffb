from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Taxonomy and incidents"

    def ready(self) -> None:
        from editorial import rendering

        from . import organisation_views, views
        from .models import DIMENSIONS, Domain, Incident, Organisation, ThreatPattern

        rendering.register(Incident, views.incident_page)
        rendering.register(Domain, views.detail_page(views.DomainDetailView))
        rendering.register(ThreatPattern, views.detail_page(views.PatternDetailView))
        rendering.register(Organisation, organisation_views.organisation_page)
        for model in DIMENSIONS.values():
            rendering.register(model, views.dimension_page)
