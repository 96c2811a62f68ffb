"""Public glossary pages: the A-Z index and the term page."""

from itertools import groupby
from string import ascii_uppercase

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from editorial import text
from incidents import metadata
from incidents.models import Domain, Incident, RetiredSlug, ThreatPattern

from .links import linked_sections
from .models import Category, Term


def term_list(request: HttpRequest) -> HttpResponse:
    terms = Term.objects.published().select_related("category").order_by("term")
    categories = list(Category.objects.filter(terms__state="published").distinct())
    selected = request.GET.get("category", "")
    message = ""
    if selected and selected not in {category.slug for category in categories}:
        message = "There is no such category; showing every term."
        selected = ""
    if selected:
        terms = terms.filter(category__slug=selected)
    groups = [
        (letter, list(items)) for letter, items in groupby(terms, lambda t: t.letter)
    ]
    present = {letter for letter, _ in groups}
    return render(
        request,
        "glossary/term_list.html",
        {
            "groups": groups,
            "letters": [(letter, letter in present) for letter in ascii_uppercase],
            "categories": categories,
            "selected_category": selected,
            "message": message,
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Glossary", reverse("glossary:list")),
                ]
            ),
        },
    )


def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    queryset = (
        Term.objects.published()
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "related_incidents",
                queryset=Incident.objects.published().order_by("code"),
            ),
            Prefetch(
                "related_patterns",
                queryset=ThreatPattern.objects.published()
                .select_related("domain")
                .order_by("title"),
            ),
            Prefetch(
                "related_domains", queryset=Domain.objects.published().order_by("code")
            ),
            Prefetch(
                "related_terms", queryset=Term.objects.published().order_by("term")
            ),
        )
    )
    term = queryset.filter(slug=slug).first()
    if term is None:
        moved = RetiredSlug.current(Term.objects.published(), slug)
        if moved is None:
            raise Http404("No published term here.")
        return redirect(moved, permanent=True)
    return term_page(request, term)


def term_page(request: HttpRequest, term: Term) -> HttpResponse:
    """Render a term's public page; also used to show a stored revision."""
    citation = metadata.cite(term, kind="Glossary term", title=term.term)
    if metadata.bibtex_requested(request):
        return metadata.bibtex_response(citation)
    return render(
        request,
        "glossary/term_detail.html",
        {
            "term": term,
            "sections": linked_sections(term),
            "citation": citation,
            "structured_data": defined_term_data(term, request),
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Glossary", reverse("glossary:list")),
                    (term.term, term.get_absolute_url()),
                ]
            ),
        },
    )


def defined_term_data(term: Term, request: HttpRequest) -> dict:
    """Return schema.org DefinedTerm data, inside the glossary's DefinedTermSet."""
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": term.term,
        "description": term.summary,
        "url": metadata.absolute_url(term.get_absolute_url()),
        "termCode": term.slug,
        "sameAs": [
            url for url in text.split_lines(term.same_as) if text.is_web_address(url)
        ],
        "dateModified": term.last_updated.isoformat() if term.last_updated else None,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "name": "Threatwatch glossary of AI threats",
            "url": metadata.absolute_url(reverse("glossary:list")),
        },
    }
