"""A trigram index for the order-number filter (PostgreSQL).

``?number=01570`` (the API) and the orders page's number field find the orders whose number
contains what was typed, in any case: ``UPPER(number::text) LIKE UPPER('%01570%')``. No B-tree
serves a pattern that starts with ``%``: IMIO's list read every order to count the matches (21 ms
at 100,000 orders, ten times more at ten years). A GIN index of the trigrams of the upper-cased
number (``pg_trgm``) answers it from the index, for three characters typed or more.

``pg_trgm`` ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and later): the
database's owner may create it. SQLite, the embedded default, scans. At 100,000 orders the
index took 0.3 s to build and its ANALYZE 0.6 s; see docs/OPERATIONS.md (upgrade notes) to
build it beforehand at scale.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS order_number_trigram ON orders_order "
        "USING gin ((UPPER(number::text)) gin_trgm_ops)"
    )
    # The planner's statistics of the indexed expression: until it has them, it guesses that
    # a number matches often, and reads the newest-first index until a page is full (5.6 ms
    # instead of 1.1 at 100,000 orders, for a number that matches a few).
    schema_editor.execute("ANALYZE orders_order")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS order_number_trigram")


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
