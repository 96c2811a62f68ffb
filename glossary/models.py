"""Glossary terms, cross-linked to the taxonomy and to incidents."""

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from editorial import text
from editorial.models import EditorialEntry, EditorialQuerySet
from glossary.words import first_word
from incidents.models import (
    Domain,
    Incident,
    KeepsRetiredSlugs,
    SearchableEntry,
    ThreatPattern,
    search_vector_field,
)


class Category(models.Model):
    """A kind of term (Attack Technique, Failure Mode...); an editable list."""

    name = models.CharField(max_length=80, unique=True, help_text="Category name.")
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in the glossary's filter."
    )
    description = models.TextField(blank=True, help_text="What belongs here.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class TermQuerySet(EditorialQuerySet):
    def starting_with(self, letter: str) -> "TermQuerySet":
        return self.filter(term__istartswith=letter)


def validate_url_lines(value: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(text.split_lines(value), start=1):
        try:
            check(line)
        except ValidationError as error:
            raise ValidationError(
                f"Line {number} is not a web address: {line}"
            ) from error


class Term(KeepsRetiredSlugs, SearchableEntry, EditorialEntry):
    term = models.CharField(max_length=120, unique=True, help_text="The term itself.")
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in /glossary/<slug>/."
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="terms",
        help_text="The kind of term.",
    )
    summary = models.CharField(
        max_length=300, help_text="One sentence shown in lists and search results."
    )
    definition = models.TextField(help_text="Section 'Definition', in markdown.")
    relation_to_threats = models.TextField(
        "how it relates to AI threats",
        blank=True,
        help_text="Section 'How It Relates to AI Threats', in markdown.",
    )
    why_it_occurs = models.TextField(
        blank=True, help_text="Section 'Why It Occurs': one reason per line."
    )
    real_world_context = models.TextField(
        blank=True, help_text="Section 'Real-World Context', in markdown."
    )
    related_incidents = models.ManyToManyField(
        Incident, blank=True, related_name="terms", help_text="Incidents it explains."
    )
    related_patterns = models.ManyToManyField(
        ThreatPattern,
        blank=True,
        related_name="terms",
        help_text="Threat patterns it is part of.",
    )
    related_domains = models.ManyToManyField(
        Domain, blank=True, related_name="terms", help_text="Domains it belongs to."
    )
    related_terms = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Other terms; the link shows on both terms.",
    )
    same_as = models.TextField(
        blank=True,
        validators=[validate_url_lines],
        help_text="Pages about the same concept elsewhere (e.g. an encyclopedia): "
        "one web address per line.",
    )
    search_vector = search_vector_field()
    # Derived from `term` on save, kept out of revisions: lets a page load only
    # the names that can occur in its text (see glossary.words).
    link_word = models.CharField(
        max_length=120, editable=False, blank=True, default="", serialize=False
    )

    search_weights = {
        "A": ("term",),
        "B": ("summary",),
        "C": (
            "definition",
            "relation_to_threats",
            "why_it_occurs",
            "real_world_context",
        ),
    }

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        indexes = [
            models.Index(
                fields=["link_word"],
                include=["term", "slug"],
                condition=models.Q(state="published"),
                name="term_published_link_word",
            )
        ]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs) -> None:
        self.link_word = first_word(self.term)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("glossary:detail", kwargs={"slug": self.slug})

    @property
    def letter(self) -> str:
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"


reversion.register(Category)
reversion.register(Term)
