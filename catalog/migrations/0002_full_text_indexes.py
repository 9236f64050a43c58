"""GIN indexes for full-text search, one per language, on PostgreSQL only.

The expressions match exactly what ``catalog.search.matching`` writes, so that the planner
uses them. SQLite searches without them.
"""

from django.db import migrations

LANGUAGES = {"fr": "french", "nl": "dutch", "de": "german", "en": "english"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in LANGUAGES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS catalog_search_{language} ON catalog_catalogitem "
            f"USING gin (to_tsvector('{config}'::regconfig, search_{language}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f"DROP INDEX IF EXISTS catalog_search_{language}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalogue")]

    operations = [migrations.RunPython(create, drop)]
