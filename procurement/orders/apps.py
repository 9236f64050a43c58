from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "procurement.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from procurement.orders import audit_actions

        audit_actions.register()
