"""Rows in bulk: COPY into a model's table, reserve ids, serialise like reversion.

The serialised form is byte for byte what django-reversion stores for the row
(Django's JSON serializer over the registered fields), so generated history is
indistinguishable from history recorded by the services.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

import reversion.revisions
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

_NO_DEFAULT = object()


class Table:
    """How one model's rows are written with COPY and serialised for reversion."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        meta = model._meta
        self.db_table = meta.db_table
        # Generated columns are computed by the database and cannot be written.
        self.fields = [f for f in meta.local_concrete_fields if not f.generated]
        self.fields_without_pk = [f for f in self.fields if not f.primary_key]
        self.label = str(meta)
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        registered = (
            reversion.revisions._get_options(model).fields
            if reversion.is_registered(model)
            else None
        )
        concrete = meta.concrete_model._meta

        def kept(field) -> bool:
            return field.serialize and (registered is None or field.name in registered)

        self.serial_fields = [
            f for f in concrete.local_fields if kept(f) and not f.primary_key
        ]
        self.serial_m2m = [f for f in concrete.local_many_to_many if kept(f)]
        self.defaults = {f.attname: self._default(f) for f in self.fields}
        self._row_fields = {
            True: [(f.attname, self.defaults[f.attname]) for f in self.fields],
            False: [
                (f.attname, self.defaults[f.attname]) for f in self.fields_without_pk
            ],
        }
        self._columns = {
            True: tuple(f.column for f in self.fields),
            False: tuple(f.column for f in self.fields_without_pk),
        }
        self._serial = [
            (f.name, f.attname, self.defaults.get(f.attname))
            for f in self.serial_fields
        ]
        self._checked = False

    @staticmethod
    def _default(field: models.Field) -> Any:
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        return _NO_DEFAULT

    def row(self, values: dict[str, Any]) -> tuple[tuple[str, ...], tuple]:
        """Return the columns and values of `values` (keyed by attname).

        Without an "id" the primary key is left to the table's sequence.
        """
        with_pk = "id" in values
        row = tuple(
            values[name] if name in values else default
            for name, default in self._row_fields[with_pk]
        )
        if not self._checked:
            missing = [
                name
                for (name, _), value in zip(self._row_fields[with_pk], row, strict=True)
                if value is _NO_DEFAULT
            ]
            if missing:
                raise KeyError(
                    f"{self.label}: no value for {', '.join(missing)}; the corpus "
                    "generator must be taught to fill them."
                )
            self._checked = True
        return self._columns[with_pk], row

    def serialize(self, values: dict[str, Any], m2m: dict[str, list[int]]) -> str:
        """Return the row as django-reversion serialises it (format "json").

        `m2m` lists related pks per many-to-many field, already in the order of
        the related model's default ordering, as the serializer reads them.
        """
        fields = {
            name: values[attname] if attname in values else default
            for name, attname, default in self._serial
        }
        for field in self.serial_m2m:
            fields[field.name] = m2m.get(field.name, [])
        document = [{"model": self.label, "pk": values["id"], "fields": fields}]
        return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)


class Writer:
    """Buffer rows per table and write them with COPY."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor  # a psycopg 3 cursor
        self.buffers: dict[tuple[str, tuple[str, ...]], list[Sequence]] = {}
        self.counts: dict[str, int] = {}

    def add(self, db_table: str, columns: Sequence[str], row: Sequence) -> None:
        self.buffers.setdefault((db_table, tuple(columns)), []).append(row)

    def add_model(self, table: Table, values: dict[str, Any]) -> None:
        columns, row = table.row(values)
        self.add(table.db_table, columns, row)

    def flush(self) -> None:
        for (db_table, columns), rows in self.buffers.items():
            if rows:
                copy_rows(self.cursor, db_table, columns, rows)
                self.counts[db_table] = self.counts.get(db_table, 0) + len(rows)
        self.buffers.clear()


def copy_rows(
    cursor, db_table: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


class Ids:
    """Hand out primary keys from blocks reserved on the table's sequence.

    The table is locked against other writers for the rest of the transaction,
    so no one else can take a reserved number.
    """

    BLOCK = 50000

    def __init__(self, cursor, model: type[models.Model]) -> None:
        self.cursor = cursor
        self.db_table = model._meta.db_table
        self.column = model._meta.pk.column
        cursor.execute(f'LOCK TABLE "{self.db_table}" IN SHARE ROW EXCLUSIVE MODE')
        self.next = self.stop = 0

    def take(self) -> int:
        if self.next >= self.stop:
            self._reserve(self.BLOCK)
        value = self.next
        self.next += 1
        return value

    def _reserve(self, count: int) -> None:
        self.cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [self.db_table, self.column]
        )
        sequence = self.cursor.fetchone()[0]
        self.cursor.execute(
            f'SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX("{self.column}"), 0) '
            f'+ 1 FROM "{self.db_table}"))',
            [sequence],
        )
        start = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT setval(%s, %s)", [sequence, start + count - 1])
        self.next, self.stop = start, start + count


def ranks(model: type[models.Model]) -> dict[int, int]:
    """Return each pk's position in the model's default ordering (as the DB sorts)."""
    pks = model._base_manager.order_by(*model._meta.ordering).values_list(
        "pk", flat=True
    )
    return {pk: i for i, pk in enumerate(pks.iterator(chunk_size=20000))}


def ordered(pks: Iterable[int], rank: dict[int, int]) -> list[int]:
    return sorted(pks, key=rank.__getitem__)
