from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "procurement.core"
    label = "core"
    verbose_name = _("Reference data and audit trail")

    def ready(self):
        from procurement.core import checks  # noqa: F401
