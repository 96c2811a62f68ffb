"""Public glossary pages: the A-Z index and the term page."""

from itertools import groupby
from string import ascii_uppercase

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from editorial import text
from incidents.models import Domain, Incident, ThreatPattern

from .models import Category, Term


def term_list(request: HttpRequest) -> HttpResponse:
    terms = Term.objects.published().select_related("category").order_by("term")
    categories = Category.objects.filter(terms__state="published").distinct()
    selected = request.GET.get("category", "")
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
    term = get_object_or_404(queryset, slug=slug)
    return render(
        request,
        "glossary/term_detail.html",
        {"term": term, "structured_data": defined_term_data(term, request)},
    )


def defined_term_data(term: Term, request: HttpRequest) -> dict:
    """Return schema.org DefinedTerm data, inside the glossary's DefinedTermSet."""
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": term.term,
        "description": term.summary,
        "url": request.build_absolute_uri(term.get_absolute_url()),
        "sameAs": text.split_lines(term.same_as),
        "dateModified": term.last_updated.isoformat() if term.last_updated else None,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "name": "Threatwatch glossary of AI threats",
            "url": request.build_absolute_uri(reverse("glossary:list")),
        },
    }
