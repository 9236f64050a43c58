"""Fill the CPV and commune tables from the CSV files shipped in core/data."""

from django.db import migrations

from procurement.core.reference import load_cpv, load_municipalities


def load(apps, schema_editor):
    load_cpv(apps.get_model("core", "CpvCode"))
    load_municipalities(apps.get_model("core", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
