"""The public forms: what a reader may send, within limits."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from incidents.models import PARTIAL_DATE

MAX_URLS = 5
MAX_URL_LENGTH = 500
MAX_TEXT = 5000
MAX_ORGANISATIONS = 10
HONEYPOT = "website"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class ContributionForm(forms.Form):
    # A field people never see (hidden by the stylesheet) and bots fill in.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submitter_name = forms.CharField(
        required=False, max_length=120, label="Your name (optional)"
    )
    submitter_email = forms.EmailField(
        required=False,
        max_length=254,
        label="Your email (optional)",
        help_text="Only to tell you the outcome, once. Deleted after we close it.",
    )
    contact_consent = forms.BooleanField(
        required=False, label="You may email me about this submission"
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def clean_urls(self, value: str, *, required: bool) -> str:
        urls = _lines(value)
        if required and not urls:
            raise ValidationError("Give at least one source: a link to a report.")
        if len(urls) > MAX_URLS:
            raise ValidationError(
                f"Give at most {MAX_URLS} links (you gave {len(urls)}): the best ones."
            )
        check = URLValidator(schemes=["http", "https"])
        for url in urls:
            if len(url) > MAX_URL_LENGTH:
                raise ValidationError(
                    f"A link may be at most {MAX_URL_LENGTH} characters long."
                )
            try:
                check(url)
            except ValidationError:
                raise ValidationError(
                    f"“{url[:80]}” is not a web address (http:// or https://)."
                ) from None
        return "\n".join(urls)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_consent") and not cleaned.get("submitter_email"):
            self.add_error(
                "submitter_email", "Give an email address, or untick the box."
            )
        return cleaned


class ReportForm(ContributionForm):
    source_urls = forms.CharField(
        label="Source links",
        error_messages={"required": "Give at least one source: a link to a report."},
        max_length=MAX_URLS * (MAX_URL_LENGTH + 1),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=f"One link per line, at most {MAX_URLS}: news reports, court or "
        "regulator documents, the organisation's own statement.",
    )
    title = forms.CharField(
        max_length=240, label="What happened, in a line", required=True
    )
    occurred = forms.CharField(
        required=False,
        max_length=10,
        label="When it happened (optional)",
        help_text="A year (2023), a month (2023-03) or a day (2023-03-30).",
    )
    description = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        label="Short description (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"At most {MAX_TEXT} characters.",
    )
    organisations = forms.CharField(
        required=False,
        max_length=MAX_ORGANISATIONS * 201,
        label="Organisations involved (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"One per line, at most {MAX_ORGANISATIONS}.",
    )

    field_order = [
        "source_urls",
        "title",
        "occurred",
        "description",
        "organisations",
        "submitter_name",
        "submitter_email",
        "contact_consent",
        "website",
    ]

    def clean_source_urls(self) -> str:
        return self.clean_urls(self.cleaned_data["source_urls"], required=True)

    def clean_occurred(self) -> str:
        value = self.cleaned_data["occurred"].strip()
        if not value:
            return ""
        if not PARTIAL_DATE.regex.match(value):
            raise ValidationError(PARTIAL_DATE.message)
        if value > f"{timezone.localdate():%Y-%m-%d}"[: len(value)]:
            raise ValidationError("That date is in the future.")
        return value

    def clean_organisations(self) -> str:
        names = _lines(self.cleaned_data["organisations"])
        if len(names) > MAX_ORGANISATIONS:
            raise ValidationError(f"Name at most {MAX_ORGANISATIONS} organisations.")
        if any(len(name) > 200 for name in names):
            raise ValidationError("An organisation's name may be 200 characters.")
        return "\n".join(names)


class CorrectionForm(ContributionForm):
    description = forms.CharField(
        max_length=MAX_TEXT,
        label="What is wrong",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proposed_text = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        label="The text you propose (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    source_urls = forms.CharField(
        required=False,
        max_length=MAX_URLS * (MAX_URL_LENGTH + 1),
        label="A source (optional)",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="A link that shows what is right; one per line.",
    )

    field_order = [
        "description",
        "proposed_text",
        "source_urls",
        "submitter_name",
        "submitter_email",
        "contact_consent",
        "website",
    ]

    def clean_source_urls(self) -> str:
        return self.clean_urls(self.cleaned_data["source_urls"], required=False)
