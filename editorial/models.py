"""The editorial life cycle every entry shares: state, public dates, version."""

from django.db import models


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
