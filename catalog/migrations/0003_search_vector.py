"""One stored search vector per line (PostgreSQL), and an index for the alphabetical order.

Migration 0002 indexed ``to_tsvector(<language>, search_<language>)`` four times. At a million
lines that cost four GIN insertions per imported line, and every match had to recompute the
vector from the text whenever the bitmap of matches grew lossy. Instead, a generated column
keeps, once per line, the vectors of its four languages and its CPV code's prefixes
(``cpv30``, ``cpv301`` … ``cpv30192000``), so that the CPV filter is answered by the same GIN
index as the words. ``strip`` drops positions: the search does not rank by proximity.

The texts stay in ``search_<language>``; SQLite searches them without any of this.
"""

from django.db import migrations, models

LANGUAGES = {"fr": "french", "nl": "dutch", "de": "german", "en": "english"}
CPV_LEVELS = range(2, 9)  # division (2 digits) … the whole code without its check digit (8)


def _vector_expression() -> str:
    words = " || ".join(f"to_tsvector('{config}'::regconfig, search_{lang})" for lang, config in LANGUAGES.items())
    prefixes = ", ".join(f"'cpv' || left(cpv_code_id, {length})" for length in CPV_LEVELS)
    cpv = f"CASE WHEN cpv_code_id IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY[{prefixes}]) END"
    return f"strip({words} || {cpv})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f"DROP INDEX IF EXISTS catalog_search_{language}")
    schema_editor.execute(
        "ALTER TABLE catalog_catalogitem ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS ({_vector_expression()}) STORED"
    )
    schema_editor.execute("CREATE INDEX IF NOT EXISTS catalog_search ON catalog_catalogitem USING gin (search_vector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalog_search")
    schema_editor.execute("ALTER TABLE catalog_catalogitem DROP COLUMN IF EXISTS search_vector")
    for language, config in LANGUAGES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS catalog_search_{language} ON catalog_catalogitem "
            f"USING gin (to_tsvector('{config}'::regconfig, search_{language}))"
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_full_text_indexes")]

    operations = [
        migrations.RunPython(create, drop),
        migrations.AddIndex(
            model_name="catalogitem",
            index=models.Index(fields=["name_fr", "id"], name="catalog_name"),
        ),
    ]
