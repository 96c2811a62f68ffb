from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "glossary"

    def ready(self) -> None:
        from editorial import rendering

        from .models import Term
        from .views import term_page

        rendering.register(Term, term_page)
