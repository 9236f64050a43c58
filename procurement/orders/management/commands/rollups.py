"""Check or rebuild the spend rollups from the orders (``procurement.orders.rollups``)."""

import time

from django.core.management.base import BaseCommand, CommandError

from procurement.orders import rollups
from procurement.orders.models import CpvSpendRollup, OrderLine, SpendRollup


class Command(BaseCommand):
    help = "Check the spend rollups against the orders (--check), or rebuild them (--rebuild)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="exit 1 if a rollup differs from the orders")
        action.add_argument("--rebuild", action="store_true", help="recompute every rollup from the orders")

    def handle(self, *args, check=False, rebuild=False, **options):
        started = time.perf_counter()
        if rebuild:
            spend, cpv = rollups.rebuild()
            self.stdout.write(
                f"Rollups rebuilt in {time.perf_counter() - started:.1f} s: {spend:,} spend rows, "
                f"{cpv:,} rows by CPV division, from {OrderLine.objects.count():,} order lines."
            )
            return
        found = rollups.differences()
        if found:
            for line in found[:50]:
                self.stderr.write(line)
            raise CommandError(f"{len(found)} rollup rows differ from the orders (manage.py rollups --rebuild).")
        self.stdout.write(
            f"Rollups match the orders ({SpendRollup.objects.count():,} spend rows, "
            f"{CpvSpendRollup.objects.count():,} by CPV division; {time.perf_counter() - started:.1f} s)."
        )
