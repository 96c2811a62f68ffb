"""Public pages of organisations: the A–Z index and one page each."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from . import metadata, organisations
from .models import Organisation, RetiredSlug


def organisation_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/organisation_list.html",
        {
            "letters": organisations.index(),
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Organisations", reverse("incidents:organisation_list")),
                ]
            ),
        },
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    published = organisations.published_organisations()
    organisation = published.filter(slug=slug).first()
    if organisation is None:
        renamed = RetiredSlug.current(published, slug)
        if renamed is None:
            raise Http404("No such organisation.")
        return redirect(renamed, permanent=True)
    return organisation_page(request, organisation)


def organisation_page(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Render an organisation's public page; also used for stored revisions."""
    citation = metadata.cite(organisation, kind="Organisation", title=organisation.name)
    if metadata.bibtex_requested(request):
        return metadata.bibtex_response(citation)
    list_url = reverse("incidents:incident_list")
    return render(
        request,
        "incidents/organisation_detail.html",
        {
            "organisation": organisation,
            "profile": organisations.profile(organisation),
            "citation": citation,
            "list_url": f"{list_url}?entity={organisation.slug}",
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Organisations", reverse("incidents:organisation_list")),
                    (organisation.name, organisation.get_absolute_url()),
                ]
            ),
        },
    )
