"""The threat taxonomy (domains, patterns, dimensions) and the incidents."""

import operator
import re
from functools import reduce

import reversion
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models, transaction
from django.db.models import F
from django.urls import reverse

from editorial import text
from editorial.models import EditorialEntry, EditorialQuerySet

DOMAIN_CODE = RegexValidator(
    r"^DOM-[A-Z]{3}\Z", "Use DOM- followed by three capital letters, e.g. DOM-SEC."
)
PATTERN_CODE = RegexValidator(
    r"^PAT-[A-Z]{3}-\d{3}\Z",
    "Use PAT-, the domain's three letters, a hyphen and three digits, "
    "e.g. PAT-SEC-001.",
)
INCIDENT_CODE_RE = r"INC-\d{2}-\d{4}"
INCIDENT_CODE = RegexValidator(
    rf"^{INCIDENT_CODE_RE}\Z",
    "Use INC-, the two-digit year occurred, a hyphen and four digits, "
    "e.g. INC-23-0002; leave it blank to have one assigned.",
)
CAUSE_CODE = RegexValidator(
    r"^CAUSE-\d{3}\Z", "Use CAUSE- followed by three digits, e.g. CAUSE-007."
)
PARTIAL_DATE = RegexValidator(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?\Z",
    "Use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2023, 2023-03 or 2023-03-30.",
)
LINES_HELP = "One item per line."


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, "low": 1}


def severity_order() -> models.Case:
    """Return an expression ranking severity, critical highest."""
    return models.Case(
        *(models.When(severity=s, then=r) for s, r in SEVERITY_RANK.items()),
        default=0,
        output_field=models.IntegerField(),
    )


SEARCH_CONFIG = "english"


def search_vector_field() -> SearchVectorField:
    """Return the stored full-text vector of a searchable entry.

    It is derived from the row's own text on every save (PostgreSQL only), kept
    out of revisions and dumps (`serialize=False`), and GIN-indexed by migration.
    """
    return SearchVectorField(null=True, editable=False, serialize=False)


class SearchableEntry:
    """Keep the row's `search_vector` in step with its text after each save.

    `search_weights` maps a weight (A most important) to the fields it covers.
    """

    search_weights: dict[str, tuple[str, ...]] = {}

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        connection = connections[self._state.db or "default"]
        if connection.vendor != "postgresql":
            return
        vector = reduce(
            operator.add,
            (
                SearchVector(name, weight=weight, config=SEARCH_CONFIG)
                for weight, names in self.search_weights.items()
                for name in names
            ),
        )
        type(self)._base_manager.using(connection.alias).filter(pk=self.pk).update(
            search_vector=vector
        )


class RetiredSlug(models.Model):
    """A slug an entry used to have, so that its old address still leads to it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    slug = models.SlugField(max_length=200)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"], name="one_entry_per_retired_slug"
            )
        ]

    def __str__(self) -> str:
        return self.slug

    @classmethod
    def current(cls, queryset: models.QuerySet, slug: str) -> models.Model | None:
        """Return the entry of `queryset` that used to have `slug`, if any."""
        content_type = ContentType.objects.get_for_model(queryset.model)
        object_ids = cls.objects.filter(content_type=content_type, slug=slug).values(
            "object_id"
        )
        return queryset.filter(pk__in=object_ids).first()


class KeepsRetiredSlugs:
    """Record the previous slug as retired when a saved entry's slug changes.

    The slug as loaded from the database is remembered; `refresh_from_db()` keeps
    it, so an edit applied from a revision is caught at the following save().
    """

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        previous = getattr(self, "_stored_slug", None)
        if previous and previous != self.slug:
            content_type = ContentType.objects.get_for_model(type(self))
            RetiredSlug.objects.filter(
                content_type=content_type, slug=self.slug
            ).delete()
            RetiredSlug.objects.update_or_create(
                content_type=content_type,
                slug=previous,
                defaults={"object_id": self.pk},
            )
        self._stored_slug = self.slug


class Likelihood(models.TextChoices):
    INCREASING = "increasing", "Increasing"
    STABLE = "stable", "Stable"
    DECREASING = "decreasing", "Decreasing"


class Dimension(EditorialEntry):
    """A small editable vocabulary value (sector, region, asset...)."""

    name = models.CharField(max_length=120, help_text="The value as readers see it.")
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in the value's public URL."
    )
    description = models.TextField(
        blank=True, help_text="What the value covers, in markdown."
    )

    url_prefix = ""
    incident_field = ""

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "incidents:dimension_detail",
            kwargs={"dimension": self.url_prefix, "slug": self.slug},
        )


class AffectedGroup(Dimension):
    class Category(models.TextChoices):
        INDIVIDUALS = "individuals", "Individuals"
        ORGANIZATIONS = "organizations", "Organizations"
        SYSTEMS = "systems", "Systems"

    category = models.CharField(
        max_length=16,
        choices=Category.choices,
        help_text="Whether the group is made of people, organisations or systems.",
    )
    url_prefix = "affected-groups"
    incident_field = "affected_groups"

    class Meta(Dimension.Meta):
        verbose_name = "affected group"


class Sector(Dimension):
    url_prefix = "sectors"
    incident_field = "sectors"


class Region(Dimension):
    url_prefix = "regions"
    incident_field = "regions"


class ExposurePathway(Dimension):
    url_prefix = "exposure-pathways"
    incident_field = "exposure_pathways"


class CausalFactor(Dimension):
    class Category(models.TextChoices):
        MALICIOUS_MISUSE = "malicious_misuse", "Malicious misuse"
        DESIGN = "design_development", "Design & development"
        DEPLOYMENT = "deployment_integration", "Deployment & integration"
        SYSTEMIC = "systemic_organizational", "Systemic & organizational"

    code = models.CharField(
        max_length=9,
        unique=True,
        validators=[CAUSE_CODE],
        help_text="CAUSE- and three digits, e.g. CAUSE-007.",
    )
    category = models.CharField(
        max_length=32,
        choices=Category.choices,
        help_text="The family of causes this factor belongs to.",
    )
    lifecycle_stage = models.CharField(
        max_length=80,
        blank=True,
        help_text="Stage of the AI life cycle where the factor arises, "
        "e.g. Training, Deployment.",
    )
    url_prefix = "causal-factors"
    incident_field = "causal_factors"

    class Meta(Dimension.Meta):
        ordering = ["code"]


class Asset(Dimension):
    url_prefix = "assets"
    incident_field = "assets"


class HarmType(Dimension):
    url_prefix = "harm-types"
    incident_field = "harm_types"


DIMENSIONS: dict[str, type[Dimension]] = {
    model.url_prefix: model
    for model in (
        Sector,
        AffectedGroup,
        ExposurePathway,
        CausalFactor,
        HarmType,
        Asset,
        Region,
    )
}


class Framework(models.Model):
    """An external risk framework the taxonomy maps onto (EU AI Act, NIST...)."""

    name = models.CharField(max_length=120, unique=True, help_text="Full name.")
    slug = models.SlugField(max_length=120, unique=True, help_text="Short id.")
    url = models.URLField(blank=True, help_text="Where the framework is published.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(KeepsRetiredSlugs, EditorialEntry):
    """A company, agency or group named in incidents; an entry with a page.

    What its page shows is derived in `incidents/organisations.py`.
    """

    name = models.CharField(max_length=200, unique=True, help_text="Usual name.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Used in /organisations/<slug>/; changing it keeps old links "
        "working.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names readers may know it by (former names, brands). "
        + LINES_HELP,
    )
    description = models.TextField(
        blank=True, help_text="A short description in markdown: what it is and does."
    )
    website = models.URLField(
        max_length=300, blank=True, help_text="Its own website, if it has one."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:organisation_detail", kwargs={"slug": self.slug})


class Domain(KeepsRetiredSlugs, SearchableEntry, EditorialEntry):
    code = models.CharField(
        max_length=7,
        unique=True,
        validators=[DOMAIN_CODE],
        help_text="DOM- and three capital letters, e.g. DOM-SEC.",
    )
    title = models.CharField(max_length=160, help_text="Full title of the domain.")
    short_title = models.CharField(
        max_length=60, help_text='Short form for menus, e.g. "Security & Cyber".'
    )
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in /domains/<slug>/."
    )
    tagline = models.CharField(max_length=240, help_text="One line under the title.")
    definition = models.TextField(help_text="What the domain covers, in markdown.")
    why_distinct = models.TextField(
        blank=True,
        help_text="Why this domain stands apart from the others. " + LINES_HELP,
    )
    search_vector = search_vector_field()

    search_weights = {
        "A": ("code", "title", "short_title"),
        "B": ("tagline",),
        "C": ("definition", "why_distinct"),
    }

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.short_title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:domain_detail", kwargs={"slug": self.slug})

    @property
    def letters(self) -> str:
        return self.code.removeprefix("DOM-")


class ThreatPattern(KeepsRetiredSlugs, SearchableEntry, EditorialEntry):
    code = models.CharField(
        max_length=11,
        unique=True,
        validators=[PATTERN_CODE],
        help_text="PAT-, the domain's letters and a number, e.g. PAT-SEC-001.",
    )
    title = models.CharField(max_length=160, help_text="Name of the pattern.")
    slug = models.SlugField(
        max_length=160, unique=True, help_text="Used in /patterns/<slug>/."
    )
    tagline = models.CharField(max_length=240, help_text="One line under the title.")
    definition = models.TextField(help_text="What the pattern is, in markdown.")
    why_it_exists = models.TextField(
        blank=True, help_text="Why the pattern occurs. " + LINES_HELP
    )
    severity = models.CharField(
        max_length=8,
        choices=Severity.choices,
        help_text="Typical severity of the harm when the pattern occurs.",
    )
    likelihood = models.CharField(
        max_length=10,
        choices=Likelihood.choices,
        help_text="Whether the pattern is becoming more or less frequent.",
    )
    domain = models.ForeignKey(
        Domain,
        on_delete=models.PROTECT,
        related_name="patterns",
        help_text="The one domain this pattern belongs to.",
    )
    related_patterns = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Patterns that often occur together; may cross domains.",
    )
    affected_groups = models.ManyToManyField(
        AffectedGroup, blank=True, help_text="Who is usually harmed."
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, help_text="Sectors where the pattern is seen."
    )
    search_vector = search_vector_field()

    search_weights = {
        "A": ("code", "title"),
        "B": ("tagline",),
        "C": ("definition", "why_it_exists"),
    }

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:pattern_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.domain_id and self.code and PATTERN_CODE.regex.match(self.code):
            letters = self.domain.letters
            if self.code[4:7] != letters:
                raise ValidationError(
                    {
                        "code": f"A pattern of {self.domain.code} must have a code "
                        f"starting PAT-{letters}-."
                    }
                )


class DomainFramework(models.Model):
    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="framework_mappings"
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, help_text="The external framework."
    )
    label = models.CharField(
        max_length=240, help_text="The framework's name for what this domain covers."
    )

    class Meta:
        ordering = ["framework__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "framework"], name="one_label_per_domain_framework"
            )
        ]
        verbose_name = "framework mapping"

    def __str__(self) -> str:
        return f"{self.framework}: {self.label}"


class PatternFramework(models.Model):
    pattern = models.ForeignKey(
        ThreatPattern, on_delete=models.CASCADE, related_name="framework_mappings"
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, help_text="The external framework."
    )
    label = models.CharField(
        max_length=240, help_text="The framework's name for this pattern."
    )

    class Meta:
        ordering = ["framework__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "framework"], name="one_label_per_pattern_framework"
            )
        ]
        verbose_name = "framework mapping"

    def __str__(self) -> str:
        return f"{self.framework}: {self.label}"


class IncidentCodeCounter(models.Model):
    """The last incident number used per year; it only ever goes up."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_code(cls, year: int) -> str:
        """Reserve and return the next unused code for incidents of `year`."""
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            cls.objects.filter(year=year).update(last_number=F("last_number") + 1)
            number = cls.objects.get(year=year).last_number
        return f"INC-{year % 100:02d}-{number:04d}"

    @classmethod
    def claim(cls, code: str) -> None:
        """Record a hand-given code so the sequence never hands it out again."""
        year, number = incident_code_year(code), int(code[-4:])
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            cls.objects.filter(year=year, last_number__lt=number).update(
                last_number=number
            )


def incident_code_year(code: str) -> int:
    """Return the full year of an incident code (INC-23-... is 2023)."""
    return 2000 + int(code[4:6])


class IncidentQuerySet(EditorialQuerySet):
    def occurred_in(self, year: int) -> "IncidentQuerySet":
        return self.filter(occurred_year=year)

    def by_severity(self) -> "IncidentQuerySet":
        """Order most severe first, then most recent."""
        return self.order_by("-severity_rank", "-date_occurred", "code")


class Incident(SearchableEntry, EditorialEntry):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        ALLEGED = "alleged", "Alleged"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"

    class Evidence(models.TextChoices):
        PRIMARY = "primary", "Primary"
        CORROBORATED = "corroborated", "Corroborated"
        SINGLE_SOURCE = "single-source", "Single source"

    class Impact(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        GROUP = "group", "Group"
        ORGANIZATION = "organization", "Organization"
        SECTOR = "sector", "Sector"
        SOCIETY = "society-wide", "Society-wide"

    class Resolution(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Precision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    code = models.CharField(
        max_length=11,
        unique=True,
        blank=True,
        validators=[INCIDENT_CODE],
        help_text="INC-YY-NNNN, YY the year occurred. Leave blank to have the "
        "next free number assigned; codes are never reused.",
    )
    title = models.CharField(max_length=240, help_text="What happened, in a line.")
    slug = models.SlugField(
        max_length=200,
        help_text="Readable part of the URL; changing it keeps old links working.",
    )
    summary = models.CharField(
        max_length=400, help_text="One sentence that says what happened."
    )
    narrative = models.TextField(
        help_text="The full account in markdown; [n] cites the n-th source below."
    )
    key_facts = models.TextField(blank=True, help_text="Key facts. " + LINES_HELP)
    date_occurred = models.CharField(
        max_length=32,
        validators=[PARTIAL_DATE],
        help_text="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.",
    )
    date_precision = models.CharField(
        max_length=5, choices=Precision.choices, editable=False
    )
    occurred_year = models.PositiveSmallIntegerField(editable=False, db_index=True)
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        help_text="Confirmed by an authority, alleged, or under investigation.",
    )
    severity = models.CharField(
        max_length=8, choices=Severity.choices, help_text="How serious the harm was."
    )
    evidence_level = models.CharField(
        max_length=16,
        choices=Evidence.choices,
        help_text="The strongest kind of source behind the entry.",
    )
    impact_level = models.CharField(
        max_length=16, choices=Impact.choices, help_text="How far the harm reached."
    )
    resolution = models.CharField(
        max_length=8,
        choices=Resolution.choices,
        default=Resolution.OPEN,
        help_text="Whether the matter is settled.",
    )
    # Stored so that "most severe first" is an index scan, not a sort of every row.
    severity_rank = models.GeneratedField(
        expression=severity_order(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        serialize=False,
    )
    primary_pattern = models.ForeignKey(
        ThreatPattern,
        on_delete=models.PROTECT,
        related_name="primary_incidents",
        help_text="The one pattern that best describes the incident; its domain "
        "is the incident's domain.",
    )
    secondary_patterns = models.ManyToManyField(
        ThreatPattern,
        blank=True,
        related_name="secondary_incidents",
        help_text="Other patterns involved, from any domain.",
    )
    affected_groups = models.ManyToManyField(
        AffectedGroup, blank=True, help_text="Who was harmed."
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, help_text="Sectors where it happened."
    )
    regions = models.ManyToManyField(Region, blank=True, help_text="Where it happened.")
    exposure_pathways = models.ManyToManyField(
        ExposurePathway, blank=True, help_text="How people were exposed; one or two."
    )
    causal_factors = models.ManyToManyField(
        CausalFactor, blank=True, help_text="What made it possible."
    )
    assets = models.ManyToManyField(
        Asset, blank=True, help_text="The AI assets involved."
    )
    harm_types = models.ManyToManyField(
        HarmType, blank=True, help_text="Kinds of harm done."
    )
    financial_loss = models.CharField(
        max_length=240, blank=True, help_text="Money lost, if known, e.g. US$25M."
    )
    regulatory_action = models.TextField(
        blank=True, help_text="Fines, bans, rulings or orders that followed."
    )
    other_outcome = models.TextField(
        blank=True, help_text="Any other consequence worth recording."
    )
    # Editors' say over the "Similar incidents" list (`incidents/similar.py`).
    pinned_similar = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="pinned_by",
        verbose_name="pinned similar incidents",
        help_text="Always listed first under Similar incidents, if published.",
    )
    hidden_similar = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="hidden_by",
        verbose_name="hidden similar incidents",
        help_text="Never suggested as similar to this one.",
    )
    search_vector = search_vector_field()

    search_weights = {
        "A": ("code", "title"),
        "B": ("summary",),
        "C": ("narrative", "key_facts"),
    }

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-date_occurred", "code"]
        indexes = [
            models.Index(fields=["date_occurred"]),
            # Narrow indexes over published rows only: public lists, facets and
            # figures read these instead of the wide table (index-only scans).
            models.Index(
                fields=["primary_pattern", "occurred_year"],
                include=[
                    "id",
                    "severity",
                    "status",
                    "evidence_level",
                    "impact_level",
                    "resolution",
                ],
                condition=models.Q(state="published"),
                name="incident_published_facts",
            ),
            models.Index(
                fields=["-severity_rank", "-date_occurred", "code"],
                include=["id", "primary_pattern"],
                condition=models.Q(state="published"),
                name="incident_published_severe",
            ),
            models.Index(
                fields=["-date_occurred", "code"],
                condition=models.Q(state="published"),
                name="incident_published_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}" if self.code else self.title

    def save(self, *args, **kwargs) -> None:
        self.occurred_year = int(self.date_occurred[:4])
        self.date_precision = {4: "year", 7: "month"}.get(
            len(self.date_occurred), "day"
        )
        if not self.code:
            self.code = IncidentCodeCounter.next_code(self.occurred_year)
        else:
            IncidentCodeCounter.claim(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "incidents:incident_detail", kwargs={"code": self.code, "slug": self.slug}
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.code
            and self.date_occurred
            and re.match(rf"^{INCIDENT_CODE_RE}\Z", self.code)
            and PARTIAL_DATE.regex.match(self.date_occurred)
            and self.code[4:6] != self.date_occurred[2:4]
        ):
            raise ValidationError(
                {
                    "code": f"The code's year ({self.code[4:6]}) must be the year "
                    f"occurred ({self.date_occurred[:4]})."
                }
            )

    @property
    def domain(self) -> Domain:
        return self.primary_pattern.domain

    def dangling_footnotes(self, source_count: int) -> list[int]:
        """Return the footnotes of the narrative that point at no source."""
        return sorted(
            n
            for n in text.footnote_numbers(self.narrative)
            if not 1 <= n <= source_count
        )


class IncidentSource(models.Model):
    class Type(models.TextChoices):
        ACADEMIC = "academic", "Academic"
        REGULATORY = "regulatory", "Regulatory"
        LEGAL = "legal", "Legal"
        JOURNALISM = "journalism", "Journalism"
        CIVIL_SOCIETY = "civil-society", "Civil society"
        INCIDENT_DATABASE = "incident-database", "Incident database"
        PRIMARY = "primary", "Primary"

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="sources"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the list; footnote [n] is the n-th source."
    )
    title = models.CharField(max_length=300, help_text="Title of the page or report.")
    publisher = models.CharField(
        max_length=160, blank=True, help_text="Who published it."
    )
    source_type = models.CharField(
        max_length=20, choices=Type.choices, help_text="What kind of source it is."
    )
    date = models.CharField(
        max_length=32,
        blank=True,
        validators=[PARTIAL_DATE],
        help_text="Publication date: YYYY, YYYY-MM or YYYY-MM-DD; blank if none.",
    )
    url = models.URLField(max_length=500, help_text="Where the source can be read.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class IncidentEntity(models.Model):
    class Role(models.TextChoices):
        DEVELOPER = "developer", "Developer"
        DEPLOYER = "deployer", "Deployer"
        VICTIM = "victim", "Victim"
        OTHER = "other", "Other"

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="entities"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the list."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="incident_roles",
        help_text="The organisation involved.",
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, help_text="Its part in the incident."
    )
    qualifier = models.CharField(
        max_length=160,
        blank=True,
        help_text='Optional detail, e.g. "model provider" or "alleged".',
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "entity"
        verbose_name_plural = "entities"
        # The organisation facet counts these pairs without reading the rows.
        indexes = [
            models.Index(
                fields=["incident", "organisation"], name="entity_incident_org"
            ),
            # Organisation pages and similar incidents go from an organisation
            # to its most recent incidents.
            models.Index(
                fields=["organisation", "-incident"], name="entity_org_incident"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


for _dimension in DIMENSIONS.values():
    reversion.register(_dimension)
reversion.register(Framework)
reversion.register(Organisation)
reversion.register(DomainFramework)
reversion.register(PatternFramework)
reversion.register(IncidentSource)
reversion.register(IncidentEntity)
reversion.register(Domain, follow=["framework_mappings"])
reversion.register(ThreatPattern, follow=["framework_mappings"])
reversion.register(Incident, follow=["sources", "entities"])
