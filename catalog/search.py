"""Full-text search of catalogue lines, and the CPV filter.

Each line keeps, per language, one normalised text (lower case, no accents): its reference,
name, description and CPV label (``search_fr`` … ``search_en``, filled by :func:`fill`).

On PostgreSQL a generated column, ``search_vector`` (migration 0003), holds the vectors of the
four texts and the line's CPV prefixes (``cpv30`` … ``cpv30192000``) under one GIN index. A
query is parsed in the reader's language (``websearch_to_tsquery``, so "papiers" finds
"papier") and matched against the vectors of all the line's languages: a Dutch reader finds a
line by its Dutch words, and by its French ones where they stem alike in Dutch (a line without
a Dutch name is searched by its French name in Dutch). On SQLite every word must appear in one
of the texts. A query equal to a supplier reference finds that line too.

When very many lines match, reading them all through the index to keep the first page of the
newest is the slow way; :func:`walk` asks the database to test the lines one by one while
walking the primary key instead (see ``CatalogPaginator``).
"""

from __future__ import annotations

import functools
import re

from django.db import connection
from django.db.models import BooleanField, Expression, Q, QuerySet

from catalog.price_lists import normalise
from procurement.core.models import CpvCode
from procurement.core.pagination import CappedPaginator

LANGUAGES = {"fr": "french", "nl": "dutch", "de": "german", "en": "english"}
FIELDS = tuple(f"search_{language}" for language in LANGUAGES)
CPV_DEPTH = 8  # the CPV prefixes in the search vector: 2 (division) to 8 digits
WALK = "catalog_search_walk"  # the query attribute that makes matches row-by-row tests


@functools.cache
def _cpv_labels() -> dict[str, dict[str, str]]:
    """Each CPV code's label per language, already normalised (read once per process)."""
    return {
        code: {"fr": normalise(fr), "nl": normalise(nl), "de": normalise(de), "en": normalise(en)}
        for code, fr, nl, de, en in CpvCode.objects.values_list("code", "label_fr", "label_nl", "label_de", "label_en")
    }


def fill(item) -> None:
    """Compute the line's search texts from its fields (before saving it).

    Each part is normalised once and the texts joined from the parts (normalising a joined
    text or joining normalised parts gives the same words): a price list of 100,000 lines
    would otherwise normalise its French name and description four times over.
    """
    labels = _cpv_labels().get(item.cpv_code_id, {}) if item.cpv_code_id else {}
    reference = normalise(item.supplier_reference)
    name_fr, description_fr = normalise(item.name_fr), normalise(item.description_fr)
    for language in LANGUAGES:
        name = getattr(item, f"name_{language}")
        description = getattr(item, f"description_{language}")
        parts = (
            reference,
            normalise(name) if name and language != "fr" else name_fr,
            normalise(description) if description and language != "fr" else description_fr,
            labels.get(language, ""),
        )
        setattr(item, f"search_{language}", " ".join(filter(None, parts)))


class VectorMatch(Expression):
    """``search_vector @@ <tsquery>`` — or ``ts_match_vq(…)``, which no index answers, in a walk."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, tsquery_sql: str, params: list[str]):
        super().__init__()
        self.tsquery_sql, self.params = tsquery_sql, params

    def as_sql(self, compiler, connection):
        column = f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_vector"
        if getattr(compiler.query, WALK, False):
            return f"ts_match_vq({column}, {self.tsquery_sql})", list(self.params)
        return f"({column} @@ {self.tsquery_sql})", list(self.params)

    def get_group_by_cols(self):
        return []


def _words_match(words: str, language: str) -> VectorMatch:
    config = LANGUAGES[language]  # a constant of this module, never the reader's input
    return VectorMatch(f"websearch_to_tsquery('{config}'::regconfig, %s)", [words])


def matching(queryset: QuerySet, query: str, language: str) -> QuerySet:
    """Lines whose text matches every word of ``query`` (parsed in ``language``), or whose reference is ``query``."""
    language = language if language in LANGUAGES else "fr"
    words = normalise(query)
    reference = Q(supplier_reference=query.strip())
    if not words:
        return queryset.filter(reference)
    if connection.vendor == "postgresql":
        return queryset.filter(Q(_words_match(words, language)) | reference)
    text = Q()
    for word in words.split():
        text &= functools.reduce(Q.__or__, (Q(**{f"{field}__contains": word}) for field in FIELDS))
    return queryset.filter(text | reference)


def cpv_prefix(text: str) -> str:
    """The digits a CPV code starts with: ``3019`` stays ``3019``; a whole code ``30190000-4`` becomes ``3019``.

    A CPV code's trailing zeros are the levels below it (division, group, class, category),
    so a typed code means "this code and the ones under it"; a division keeps its two digits.
    """
    digits = re.sub(r"\D", "", text)
    if len(digits) >= CPV_DEPTH:
        digits = digits[:CPV_DEPTH].rstrip("0").ljust(2, "0")
    return digits


def in_cpv(queryset: QuerySet, text: str) -> QuerySet:
    """Lines whose CPV code is ``text`` or under it (a division, group, class… or a whole code)."""
    prefix = cpv_prefix(text)
    if not prefix:
        return queryset
    if connection.vendor == "postgresql" and len(prefix) >= 2:
        return queryset.filter(VectorMatch("%s::tsquery", [f"cpv{prefix}"]))
    return queryset.filter(cpv_code__code__startswith=prefix)


def walk(queryset: QuerySet) -> QuerySet:
    """The same lines, tested one by one as the database walks them in the queryset's order.

    Worth it only when matches are dense and the order has an index (the primary key): the
    first page is then found after a few dozen rows, instead of after reading every match.
    """
    queryset = queryset.all()
    setattr(queryset.query, WALK, True)
    return queryset


NEWEST_FIRST = ("-id",)  # the order of a search's results unless the reader chooses another


class CatalogPaginator(CappedPaginator):
    """Capped counts; beyond the cap, a search in the newest-first order walks the primary key."""

    def many(self, queryset: QuerySet) -> QuerySet:
        if tuple(queryset.query.order_by) in (NEWEST_FIRST, ("-pk",)):
            return walk(queryset)
        return queryset
