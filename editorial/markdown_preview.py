"""Live preview of editor markdown, rendered as the public site renders it.

A staff-only endpoint: the change form's static script posts a field's text
and shows the sanitised HTML beside the field. Markdown goes through
`editorial.text` (markdown-it, then nh3) exactly as on the public pages, and an
app that adds links to its pages (the glossary links mentions of terms,
patterns and incidents) registers a linker here, so the preview shows them too.
"""

from collections.abc import Callable

from django.contrib.admin.views.decorators import staff_member_required
from django.db import models
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import text

MAX_CHARS = 100_000
MARKDOWN = "markdown"  # a block of markdown
FOOTNOTES = "footnotes"  # markdown whose [n] markers cite the sources
LINES = "lines"  # one item per line, each inline markdown
KINDS = (MARKDOWN, FOOTNOTES, LINES)

#: Linkers by model label ("glossary.term"), registered by the apps that link
#: mentions on their public pages: each takes the rendered pieces, the raw text
#: and the entry's id (or None) and returns the pieces linked.
linkers: dict[str, Callable[[list[str], str, int | None], list[str]]] = {}


def field_kind(field: models.Field) -> str | None:
    """Return how the site renders a text field, from the model's own help text.

    The models say it in words: "in markdown", "[n] cites the n-th source",
    "One item per line" / "one reason per line".
    """
    if not isinstance(field, models.TextField):
        return None
    words = str(field.help_text).lower()
    if "[n]" in words and "markdown" in words:
        return FOOTNOTES
    if "markdown" in words:
        return MARKDOWN
    if "per line" in words and "address" not in words:
        return LINES
    return None


def render(kind: str, value: str, *, label: str = "", object_id=None) -> str:
    """Return the text as sanitised HTML, as its public page will show it."""
    if kind == LINES:
        items = [text.render_inline(item) for item in text.split_lines(value)]
        linker = linkers.get(label)
        if linker is not None:
            items = linker(items, value, object_id)
        return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    html = text.render_markdown(value)
    linker = linkers.get(label)
    if linker is not None:
        html = linker([html], value, object_id)[0]
    if kind == FOOTNOTES:
        html = text.link_footnotes(html)
    return html


@never_cache
@staff_member_required
@require_POST
def preview(request: HttpRequest) -> JsonResponse:
    kind = request.POST.get("kind", MARKDOWN)
    value = request.POST.get("text", "")
    if kind not in KINDS:
        return JsonResponse(
            {"error": f"kind must be one of {', '.join(KINDS)}"}, status=400
        )
    if len(value) > MAX_CHARS:
        return JsonResponse(
            {"error": f"text is longer than {MAX_CHARS} characters"}, status=400
        )
    object_id = request.POST.get("object", "")
    html = render(
        kind,
        value,
        label=request.POST.get("model", ""),
        object_id=int(object_id) if object_id.isdigit() else None,
    )
    return JsonResponse({"html": html})
