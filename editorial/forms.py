"""The admin form every editorial entry uses: change summary, minor, conflicts."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape

from .conflicts import describe_conflict

WORKFLOW_FIELDS = ("change_summary", "minor", "base_version")


class EditorialForm(forms.ModelForm):
    change_summary = forms.CharField(
        required=False,
        max_length=300,
        label="Summary of your change",
        help_text="Say what you changed and why; it shows in the history.",
    )
    minor = forms.BooleanField(
        required=False,
        label="This is a minor change",
        help_text="Typos and formatting only: the public 'Last updated' date "
        "will not move.",
    )
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.version
        for name, field in self.fields.items():
            self._share_initial_rows(name, field)
            if "<" in str(field.help_text):
                # The admin shows help text as HTML; "/glossary/<slug>/" must
                # read as written.
                field.help_text = escape(field.help_text)

    def _share_initial_rows(self, name, field) -> None:
        """Hand a picker the related rows the form read for its initial value."""
        picker = getattr(field.widget, "widget", field.widget)
        if self.is_bound or not hasattr(picker, "known"):
            return
        rows = self.initial.get(name)
        if isinstance(rows, list | tuple) and all(hasattr(r, "pk") for r in rows):
            picker.known = {str(row.pk): row for row in rows}

    def clean(self):
        cleaned = super().clean()
        base = cleaned.get("base_version")
        if self.instance.pk and base is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != base:
                # The re-shown form carries the new version: saving again is a
                # deliberate choice, made after seeing what the other person did.
                self.data = self.data.copy()
                self.data[self.add_prefix("base_version")] = str(current)
                raise ValidationError(describe_conflict(self.instance, cleaned))
        return cleaned

    def content_changed(self) -> bool:
        return any(name not in WORKFLOW_FIELDS for name in self.changed_data)
