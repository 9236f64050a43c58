from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from procurement.members.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load demonstration organisations, memberships and users (idempotent)."

    def handle(self, *args, **options):
        # The story the demo tells is in the audit trail; its notification e-mails would only be noise.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            created = load_demo_data()
        self.stdout.write(
            "Demo data: {organizations} organisations, {memberships} memberships, {users} users created.".format(
                **created
            )
        )
        if settings.DEBUG:
            self.stdout.write(f"Demo users sign in with the password “{DEMO_PASSWORD}” (see README).")
        else:
            self.stdout.write("DEBUG is off: demo users have no password; use a password reset to sign in.")
