"""The editorial life cycle every entry shares: state, public dates, version."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from reversion.models import Revision


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class EditorialQuerySet(models.QuerySet):
    def published(self) -> "EditorialQuerySet":
        """Return the entries readers may see: the one door for public reads."""
        return self.filter(state=State.PUBLISHED)


class EditorialEntry(models.Model):
    """Fields of the editorial life cycle; dates are set by the services only."""

    state = models.CharField(
        max_length=16,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
        editable=False,
        help_text="Where the entry is in the life cycle; only published is public.",
    )
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When the entry was first saved."
    )
    updated_at = models.DateTimeField(
        auto_now=True, help_text="When any field of the entry was last saved."
    )
    first_published = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the entry was first made public.",
    )
    last_updated = models.DateField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="The public 'Last updated' date: when published content last "
        "changed (minor changes excluded).",
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a reviewer last confirmed the entry is still accurate.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the entry leaves the public site on its own, if ever.",
    )
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counter bumped on every save; guards against edit conflicts.",
    )

    objects = EditorialQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED


class ChangeQuerySet(models.QuerySet):
    def for_entry(self, entry: models.Model) -> "ChangeQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
        )

    def awaiting_review_by(self, user) -> "ChangeQuerySet":
        return self.filter(status=Change.Status.IN_REVIEW).exclude(editors=user)


class Change(models.Model):
    """The open change of an entry: a draft, or a pending edit of a published entry.

    An entry has at most one. For an entry that was never published the row itself
    holds the draft; for a published entry `snapshot` holds the pending content
    (a reversion revision) while the row stays as readers see it.
    """

    class Status(models.TextChoices):
        EDITING = "editing", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        SCHEDULED = "scheduled", "Approved, scheduled"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.EDITING, db_index=True
    )
    snapshot = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Pending content of a published entry.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who opened the change.",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="editorial_changes",
        help_text="Everyone who edited the change; none of them may approve it.",
    )
    summary = models.CharField(max_length=300, blank=True)
    minor = models.BooleanField(
        default=False, help_text="A minor change does not move 'Last updated'."
    )
    review_comment = models.TextField(blank=True)
    public_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="The note readers see in the changelog, set by the reviewer "
        "on approval; empty means the default.",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expire_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_open_change_per_entry"
            )
        ]
        permissions = [
            ("review_change", "Can approve, publish and send back changes"),
            ("view_other_drafts", "Can see drafts other people are writing"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} change of {self.entry}"

    @property
    def is_pending(self) -> bool:
        """Whether this is an edit of a published entry, held apart from it."""
        return self.snapshot_id is not None


class RevisionMeta(models.Model):
    """What a revision meant for the life cycle: pending, published, minor, state."""

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="meta"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    entry_version = models.PositiveIntegerField(
        help_text="The entry's version counter after this revision."
    )
    state = models.CharField(max_length=16, choices=State.choices)
    previous_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    pending = models.BooleanField(
        default=False, help_text="Content of a pending change, not yet public."
    )
    published = models.BooleanField(
        default=False, help_text="This revision made content public."
    )
    minor = models.BooleanField(default=False)
    public_note = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="What readers see about a published change (the changelog); "
        "the revision's comment is the editors' own note.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["published", "minor"]),
        ]

    def __str__(self) -> str:
        return f"revision {self.revision_id} (v{self.entry_version})"


class AuditEvent(models.Model):
    """One action of the life cycle or history, kept for the site-wide audit log."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        EDIT = "edit", "Edit"
        SUBMIT = "submit", "Submit for review"
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"
        PUBLISH = "publish", "Publish"
        UNPUBLISH = "unpublish", "Unpublish"
        SCHEDULE = "schedule", "Schedule"
        ARCHIVE = "archive", "Archive"
        REVIEW = "review", "Confirm reviewed"
        DELETE = "delete", "Delete"
        RECOVER = "recover", "Recover"
        REVERT = "revert", "Revert"
        IMPORT = "import", "Import"
        # Triage of readers' submissions (contributions).
        CLAIM = "claim", "Claim submission"
        ACCEPT = "accept", "Accept submission"
        MARK_DUPLICATE = "mark_duplicate", "Mark duplicate"
        REJECT = "reject", "Reject submission"
        SPAM = "spam", "Mark spam"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    entry_repr = models.CharField(
        max_length=300, help_text="The entry's title when the action happened."
    )
    changed_fields = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.entry_repr}"
