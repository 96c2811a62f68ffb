"""The sitemap: every published entry with its "last updated" date."""

from django.contrib.sitemaps import Sitemap

from glossary.models import Term
from incidents.models import DIMENSIONS, Domain, Incident, Organisation, ThreatPattern


class EntrySitemap(Sitemap):
    model = None

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().order_by("pk")

    def lastmod(self, entry):
        return entry.last_updated


SITEMAPS = {
    "domains": EntrySitemap(Domain),
    "patterns": EntrySitemap(ThreatPattern),
    "incidents": EntrySitemap(Incident),
    "glossary": EntrySitemap(Term),
    "organisations": EntrySitemap(Organisation),
    **{prefix: EntrySitemap(model) for prefix, model in DIMENSIONS.items()},
}
