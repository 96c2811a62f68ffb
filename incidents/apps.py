from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Taxonomy and incidents"

    def ready(self) -> None:
        from editorial import rendering

        from . import views
        from .models import DIMENSIONS, Domain, Incident, ThreatPattern

        rendering.register(Incident, views.incident_page)
        rendering.register(Domain, views.detail_page(views.DomainDetailView))
        rendering.register(ThreatPattern, views.detail_page(views.PatternDetailView))
        for model in DIMENSIONS.values():
            rendering.register(model, views.dimension_page)
