from django.conf import settings
from django.core.management.base import BaseCommand

from procurement.core.sealing import create_key_ring_file, generate_key


class Command(BaseCommand):
    help = (
        "Bid sealing keys. --create writes a key ring file for a development machine if there is none; "
        "--generate prints a new key to add in front of SEALING_KEYS (rotation)."
    )

    requires_system_checks = []  # it is how the missing-key warning gets fixed

    def add_arguments(self, parser):
        parser.add_argument("--create", action="store_true", help="Create SEALING_KEYS_FILE if it does not exist.")
        parser.add_argument("--generate", metavar="KEY_ID", help="Print a new entry 'KEY_ID:base64key'.")

    def handle(self, *args, create=False, generate=None, **options):
        if generate:
            self.stdout.write(f"{generate}:{generate_key()}")
        if create:
            path = settings.SEALING_KEYS_FILE
            if create_key_ring_file(path):
                self.stdout.write(f"Created {path}. Back it up: a lost key loses the bids it sealed.")
            elif options["verbosity"] > 1:
                self.stdout.write(f"{path} exists.")
