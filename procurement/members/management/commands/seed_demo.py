from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from procurement.members.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load demonstration organisations, memberships and users (idempotent)."

    def handle(self, *args, **options):
        # The story the demo tells is in the audit trail; its notification e-mails would only be noise.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            created = load_demo_data()
            # The apps above members add their own story (settings.DEMO_LOADERS): members know nothing of them.
            for loader in settings.DEMO_LOADERS:
                created.update(import_string(loader)())
        self.stdout.write("Demo data created: " + ", ".join(f"{count} {name}" for name, count in created.items()) + ".")
        if settings.DEBUG:
            self.stdout.write(f"Demo users sign in with the password “{DEMO_PASSWORD}” (see README).")
        else:
            self.stdout.write("DEBUG is off: demo users have no password; use a password reset to sign in.")
