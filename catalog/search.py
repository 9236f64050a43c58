"""Full-text search of catalogue lines, in the reader's language.

Each line keeps, per language, one normalised text (lower case, no accents): its reference,
name, description and CPV label. On PostgreSQL the search is ``to_tsvector(<language>, text)
@@ websearch_to_tsquery(<language>, query)`` backed by one GIN expression index per language
(migration 0002), so "papiers" finds "papier"; on SQLite every word of the query must appear
in the text. A query equal to a supplier reference finds that line too.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from catalog.price_lists import normalise
from procurement.core.models import CpvCode

LANGUAGES = {"fr": "french", "nl": "dutch", "de": "german", "en": "english"}
FIELDS = tuple(f"search_{language}" for language in LANGUAGES)


@functools.cache
def _cpv_labels() -> dict[str, dict[str, str]]:
    return {
        code: {"fr": fr, "nl": nl, "de": de, "en": en}
        for code, fr, nl, de, en in CpvCode.objects.values_list("code", "label_fr", "label_nl", "label_de", "label_en")
    }


def fill(item) -> None:
    """Compute the line's search texts from its fields (before saving it)."""
    labels = _cpv_labels().get(item.cpv_code_id, {}) if item.cpv_code_id else {}
    for language in LANGUAGES:
        name = getattr(item, f"name_{language}") or item.name_fr
        description = getattr(item, f"description_{language}") or item.description_fr
        text = " ".join(filter(None, (item.supplier_reference, name, description, labels.get(language, ""))))
        setattr(item, f"search_{language}", normalise(text))


def matching(queryset: QuerySet, query: str, language: str) -> QuerySet:
    """Lines whose text matches every word of ``query`` in ``language``, or whose reference is ``query``."""
    language = language if language in LANGUAGES else "fr"
    words = normalise(query)
    reference = Q(supplier_reference=query.strip())
    if not words:
        return queryset.filter(reference)
    column = f"search_{language}"
    if connection.vendor == "postgresql":
        config = LANGUAGES[language]
        table = queryset.model._meta.db_table
        condition = RawSQL(  # noqa: S611 — configuration and column come from LANGUAGES; the query is a parameter
            f'to_tsvector(\'{config}\'::regconfig, "{table}"."{column}") '
            f"@@ websearch_to_tsquery('{config}'::regconfig, %s)",
            [words],
            output_field=BooleanField(),
        )
        return queryset.filter(Q(condition) | reference)
    text = Q()
    for word in words.split():
        text &= Q(**{f"{column}__contains": word})
    return queryset.filter(text | reference)
