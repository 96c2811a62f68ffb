from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "glossary"

    def ready(self) -> None:
        from editorial import markdown_preview, rendering

        from .links import link_preview
        from .models import Term
        from .views import term_page

        rendering.register(Term, term_page)
        markdown_preview.linkers["glossary.term"] = link_preview
