"""Admin forms for incidents: rules that span fields and inline rows."""

from django import forms
from django.core.exceptions import ValidationError

from editorial.forms import EditorialForm

from .models import Incident

MAX_EXPOSURE_PATHWAYS = 2


class IncidentForm(EditorialForm):
    class Meta:
        model = Incident
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields

    def clean_exposure_pathways(self):
        pathways = self.cleaned_data["exposure_pathways"]
        if len(pathways) > MAX_EXPOSURE_PATHWAYS:
            raise ValidationError(
                f"Choose at most {MAX_EXPOSURE_PATHWAYS} exposure pathways "
                f"(you chose {len(pathways)}): keep the main ones."
            )
        return pathways


class SourceFormSet(forms.BaseInlineFormSet):
    """Check that every footnote [n] of the narrative has an n-th source."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form)
        ]
        dangling = self.instance.dangling_footnotes(len(kept))
        if dangling:
            cited = ", ".join(f"[{n}]" for n in dangling)
            raise ValidationError(
                f"The narrative cites {cited} but the incident has only "
                f"{len(kept)} source(s). Add the missing sources or fix the "
                "footnote numbers."
            )
