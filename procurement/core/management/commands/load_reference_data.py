from django.core.management.base import BaseCommand
from django.db import transaction

from procurement.core.models import CpvCode, Municipality
from procurement.core.reference import load_cpv, load_municipalities


class Command(BaseCommand):
    help = "Load or update the CPV codes and the Walloon communes from the shipped CSV files."

    def handle(self, *args, **options):
        with transaction.atomic():
            cpv_count = load_cpv(CpvCode)
            municipality_count = load_municipalities(Municipality)
        self.stdout.write(f"{cpv_count} CPV codes, {municipality_count} municipalities loaded.")
