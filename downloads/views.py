"""The downloads page and the files of each kept snapshot."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from exchange.citations import dataset_citation
from exchange.json_format import LICENSE
from incidents import metadata

from .builder import ZIP_NAME, root
from .models import Snapshot

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


def index(request: HttpRequest) -> HttpResponse:
    snapshots = list(Snapshot.objects.order_by("-created_at", "-pk"))
    current = snapshots[0] if snapshots else None
    response = render(
        request,
        "downloads/index.html",
        {
            "current": current,
            "older": snapshots[1:],
            "zip_name": ZIP_NAME,
            "license": LICENSE,
            "dataset": dataset_citation(current.created_at.date() if current else None),
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Downloads", reverse("downloads:index")),
                ]
            ),
        },
    )
    # The list changes when the worker finishes a build, not when content is
    # published: browsers and the page cache always ask again (it is one query).
    patch_cache_control(response, no_cache=True, public=True)
    return response


def latest(request: HttpRequest, name: str) -> HttpResponse:
    """Send a stable address (/downloads/latest/<file>) to the newest copy."""
    snapshot = Snapshot.objects.order_by("-created_at", "-pk").first()
    if snapshot is None or snapshot.file(name) is None:
        raise Http404("No such file in the latest snapshot.")
    response = redirect("downloads:file", folder=snapshot.folder, name=name)
    patch_cache_control(response, no_cache=True, public=True)
    return response


def download(request: HttpRequest, folder: str, name: str) -> HttpResponse:
    snapshot = get_object_or_404(Snapshot, folder=folder)
    if snapshot.file(name) is None:  # only names the manifest lists: no paths
        raise Http404("No such file in this snapshot.")
    path = root() / snapshot.folder / name
    if not path.is_file():
        raise Http404("This file is no longer kept.")
    kind = name.rsplit(".", 1)[1]
    response = FileResponse(
        path.open("rb"),
        as_attachment=kind != "json",
        filename=name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    # A snapshot's files never change: its folder name is unique.
    patch_cache_control(response, public=True, max_age=86400, immutable=True)
    response["Access-Control-Allow-Origin"] = "*"
    return response
