from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "procurement.members"
    label = "members"
    verbose_name = _("Organisations and people")

    def ready(self):
        from procurement.members import audit_actions

        audit_actions.register()
