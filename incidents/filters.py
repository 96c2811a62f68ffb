"""Filters of the public incident list; the same set serves the API later."""

import django_filters

from .models import Domain, Incident, Severity, ThreatPattern


class IncidentFilter(django_filters.FilterSet):
    domain = django_filters.ModelChoiceFilter(
        field_name="primary_pattern__domain",
        to_field_name="slug",
        queryset=Domain.objects.published(),
        label="Domain",
    )
    pattern = django_filters.ModelChoiceFilter(
        field_name="primary_pattern",
        to_field_name="slug",
        queryset=ThreatPattern.objects.published(),
        label="Primary pattern",
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    year = django_filters.NumberFilter(field_name="occurred_year", label="Year")

    class Meta:
        model = Incident
        fields = ["domain", "pattern", "severity", "year"]
