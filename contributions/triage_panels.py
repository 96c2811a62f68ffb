"""What contributions adds to editorial's admin pages, through its hooks."""

from django.contrib.contenttypes.models import ContentType

from .models import Submission


def dashboard_panel(user):
    """Counts of the triage queue for the editors' dashboard."""
    if not user.has_perm("contributions.view_submission"):
        return None
    queue = Submission.objects.open()
    counts = {
        "new": queue.filter(status=Submission.Status.NEW).count(),
        "in_triage": queue.filter(status=Submission.Status.IN_TRIAGE).count(),
        "mine": queue.filter(claimed_by=user).count(),
        "unassigned": queue.filter(claimed_by=None).count(),
    }
    return "admin/contributions/_dashboard.html", counts


def correction_panel(request, entry):
    """A reader's suggestion beside the edit form it is being applied in."""
    pk = request.GET.get("suggestion", "")
    if not pk.isdigit():
        return None
    submission = Submission.objects.filter(
        pk=int(pk),
        kind=Submission.Kind.CORRECTION,
        target_type=ContentType.objects.get_for_model(entry),
        target_id=entry.pk,
    ).first()
    if submission is None:
        return None
    return "admin/contributions/_correction_panel.html", {"submission": submission}
