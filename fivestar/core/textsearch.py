"""Substring search that an index answers on PostgreSQL, for Chinese text too.

Chinese has no spaces, and most words people search for are two characters (漏水, 异响, 黑屏).
pg_trgm indexes three-character pieces: a two-character pattern gives it nothing to look up, so
``LIKE '%漏水%'`` reads the whole table (measured in the README's performance section). This
module indexes two-character pieces instead — the approach of the pg_bigm extension, which
Debian does not ship — with PostgreSQL's own parts: ``fivestar_bigrams(text, …)`` (created by
the core migration) returns every two-character piece of its upper-cased arguments, a GIN index
on it over the searched columns finds the rows holding every piece of the query, and the ``LIKE``
that Django's ``icontains`` writes keeps only the rows that hold the query itself. A query of two
characters is one piece, and finding it is already the answer.

On SQLite (and for one character) the search is the plain ``icontains``.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.fields.array import ArrayContains
from django.db import connection, migrations
from django.db.models import F, Func, Lookup, Q, QuerySet, TextField, Value

BIGRAMS_FUNCTION = "fivestar_bigrams"

#: ``fivestar_bigrams(VARIADIC parts text[])``: the two-character pieces of each part,
#: upper-cased as Django's ``icontains`` compares (pieces never span two parts). PL/pgSQL: a
#: third of the time of the same in SQL with ``generate_series``, which matters when a million
#: rows are indexed. GIN removes the repeated pieces itself. Its cost (1000, ten times the
#: default) tells the planner to find rows through the index rather than compute it per row.
CREATE_BIGRAMS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {BIGRAMS_FUNCTION}(VARIADIC parts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
DECLARE
    part text;
    pieces text[] := '{{}}';
BEGIN
    FOREACH part IN ARRAY parts LOOP
        part := upper(coalesce(part, ''));
        FOR i IN 1 .. char_length(part) - 1 LOOP
            pieces := pieces || substr(part, i, 2);
        END LOOP;
    END LOOP;
    RETURN pieces;
END
$$
"""
DROP_BIGRAMS_FUNCTION = f"DROP FUNCTION IF EXISTS {BIGRAMS_FUNCTION}(VARIADIC text[])"


class Bigrams(Func):
    """``fivestar_bigrams(...)`` of the given columns or values (PostgreSQL only)."""

    function = BIGRAMS_FUNCTION
    output_field = ArrayField(TextField())


def searchable_by_index() -> bool:
    return connection.vendor == "postgresql"


def contains_text(*fields: str, q: str, indexed: bool = True) -> Q:
    """Rows where one of ``fields`` contains ``q``, case-insensitively. On PostgreSQL with
    ``indexed`` (and ``q`` of two characters or more) the condition is written so that a GIN
    index on ``Bigrams(*fields)`` answers it; ``indexed=False`` gives the plain ``icontains``
    — the better plan when the text is common and a list only needs its first rows in the
    order of another index."""
    text = Q()
    for field in fields:
        text |= Q(**{f"{field}__icontains": q})
    if not (indexed and searchable_by_index() and len(q) >= 2):
        return text
    # The LIKE stays beside the index condition even for two characters (one piece, which
    # alone would be the answer): when the planner reads rows another way it compares the
    # cheap LIKE first and computes the pieces only of the rows that pass it.
    return Q(ArrayContains(Bigrams(*[F(field) for field in fields]), Bigrams(Value(q)))) & text


class RunOnPostgreSQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL only: SQLite has neither SQL functions nor GIN
    indexes, and its plain ``LIKE`` search needs neither."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class _EqualsAny(Lookup):
    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def one_of(field: str, queryset: QuerySet, *, indexed: bool = True) -> Q:
    """``field`` is one of the values ``queryset`` (of one column) selects. On PostgreSQL with
    ``indexed`` it is written ``= ANY(ARRAY(SELECT …))``: the subquery runs once and an index
    on ``field`` finds its rows even inside an OR, where ``IN (SELECT …)`` is checked row by
    row — which is the better plan when the rows are many and only the first are read."""
    if indexed and searchable_by_index():
        return Q(_EqualsAny(F(field), ArraySubquery(queryset)))
    return Q(**{f"{field}__in": queryset})
