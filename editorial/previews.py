"""Preview: a draft or pending change rendered by the public view itself."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import services, snapshots
from .models import EditorialEntry, State


class _Rendered(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def render_preview(request: HttpRequest, entry: EditorialEntry) -> HttpResponse:
    """Render the entry's public page as it would look once approved.

    The pending content is applied and the entry made public inside a transaction
    that is always rolled back, so nothing of the preview is ever stored.
    """
    change = services.open_change(entry)
    try:
        with transaction.atomic():
            if change is not None and change.is_pending:
                snapshots.apply(entry, change.snapshot)
            now = timezone.now()
            type(entry).objects.filter(pk=entry.pk).update(
                state=State.PUBLISHED,
                first_published=entry.first_published or now,
                last_updated=timezone.localdate(now)
                if change is None or not change.minor or not entry.last_updated
                else entry.last_updated,
            )
            entry.refresh_from_db()
            match = resolve(entry.get_absolute_url())
            request.is_preview = True
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render"):
                response.render()
            raise _Rendered(response)
    except _Rendered as rendered:
        response = rendered.response
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
