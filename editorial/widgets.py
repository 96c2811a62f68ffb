"""Admin widgets of the editorial change form."""

from django.contrib.admin.widgets import AutocompleteSelectMultiple


class KnownAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """An autocomplete picker that names its selected rows without a query.

    The form gives it the related rows it already read for its initial value
    (`known`); when every selected value is among them, no query is made. A
    bound form (re-shown with errors) falls back to the stock query.
    """

    known: dict[str, object] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {
            str(v) for v in value if str(v) not in self.choices.field.empty_values
        }
        if self.known is None or not selected <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        label = self.choices.field.label_from_instance
        for key in sorted(selected, key=list(self.known).index):
            obj = self.known[key]
            default[1].append(
                self.create_option(name, obj.pk, label(obj), selected, len(default[1]))
            )
        return [default]
