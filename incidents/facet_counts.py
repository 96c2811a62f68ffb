"""Count many facets of one set of incidents in a single SQL statement.

The set (a queryset of incidents) is read once into a common table expression;
each facet is then one `GROUP BY` over it: a column of the incident (severity,
year, primary pattern...) or a many-to-many table joined to it (sectors,
regions...). The parts are glued with UNION ALL, so the database reads the
matching incidents once instead of once per facet. Plain SQL that PostgreSQL
and SQLite both run.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connections
from django.db.models import Model, QuerySet

from .models import Incident, IncidentEntity, Organisation


@dataclass(frozen=True)
class ColumnFacet:
    """Count the values of a column of the incident."""

    key: str
    field: str


@dataclass(frozen=True)
class RelationFacet:
    """Count the related values of a many-to-many field of the incident."""

    key: str
    field: str


@dataclass(frozen=True)
class PatternFacet:
    """Count incidents per pattern, primary or secondary (each incident once)."""

    key: str


@dataclass(frozen=True)
class EntityFacet:
    """Count incidents per organisation named; only the `limit` most frequent."""

    key: str
    limit: int


@dataclass(frozen=True)
class TotalFacet:
    """Count the matching incidents themselves (under the value "")."""

    key: str


Facet = ColumnFacet | RelationFacet | PatternFacet | EntityFacet | TotalFacet


def count_facets(matching: QuerySet, facets: list[Facet]) -> dict[str, Counter]:
    """Return {facet key: Counter(value -> incidents)} for the matching incidents.

    Values come back as strings (ids and years too): the parts of the UNION
    share one column type.
    """
    counts = {facet.key: Counter() for facet in facets}
    if not facets:
        return counts
    columns = sorted(
        {f.field for f in facets if isinstance(f, ColumnFacet)}
        | (
            {"primary_pattern"}
            if any(isinstance(f, PatternFacet) for f in facets)
            else set()
        )
    )
    base = matching.order_by().values("pk", *columns)
    base_sql, params = base.query.sql_with_params()
    connection = connections[matching.db]
    quote = connection.ops.quote_name
    # Name the set's columns ourselves: the ORM's own output names vary.
    names = ", ".join(
        quote(Incident._meta.get_field(name).column) for name in ["id", *columns]
    )
    parts = [_part(facet, quote) for facet in facets]
    sql = f"WITH m ({names}) AS ({base_sql}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, value, n in cursor.fetchall():
            counts[key][str(value)] = n
    return counts


def _part(facet: Facet, quote) -> str:
    label = f"'{facet.key}'"
    if isinstance(facet, TotalFacet):
        return f"SELECT {label}, '', COUNT(*) FROM m"
    if isinstance(facet, ColumnFacet):
        column = quote(Incident._meta.get_field(facet.field).column)
        return (
            f"SELECT {label}, CAST({column} AS TEXT), COUNT(*) FROM m GROUP BY {column}"
        )
    if isinstance(facet, RelationFacet):
        table, column = _through(Incident, facet.field, quote)
        return (
            f"SELECT {label}, CAST(t.{column} AS TEXT), COUNT(*) "
            f"FROM m JOIN {table} t ON t.{quote('incident_id')} = m.{quote('id')} "
            f"GROUP BY t.{column}"
        )
    if isinstance(facet, PatternFacet):
        table, column = _through(Incident, "secondary_patterns", quote)
        primary = quote(Incident._meta.get_field("primary_pattern").column)
        return (
            f"SELECT {label}, CAST(p AS TEXT), COUNT(*) FROM ("
            f"SELECT m.{quote('id')} AS i, m.{primary} AS p FROM m UNION "
            f"SELECT m.{quote('id')}, t.{column} FROM m JOIN {table} t "
            f"ON t.{quote('incident_id')} = m.{quote('id')}) involved GROUP BY p"
        )
    table = quote(IncidentEntity._meta.db_table)
    org = quote(IncidentEntity._meta.get_field("organisation").column)
    # Only published organisations are offered, so only they take a place.
    organisations = quote(Organisation._meta.db_table)
    return (
        f"SELECT * FROM (SELECT {label}, CAST(o AS TEXT), COUNT(*) AS n FROM ("
        f"SELECT DISTINCT t.{quote('incident_id')} AS i, t.{org} AS o FROM m "
        f"JOIN {table} t ON t.{quote('incident_id')} = m.{quote('id')} "
        f"JOIN {organisations} org ON org.{quote('id')} = t.{org} "
        f"AND org.{quote('state')} = 'published') named "
        f"GROUP BY o ORDER BY n DESC, o LIMIT {int(facet.limit)}) top"
    )


def _through(model: type[Model], field: str, quote) -> tuple[str, str]:
    """Return the quoted table and value column of a many-to-many field."""
    many = model._meta.get_field(field)
    through = many.remote_field.through
    return (
        quote(through._meta.db_table),
        quote(through._meta.get_field(many.m2m_reverse_field_name()).column),
    )
