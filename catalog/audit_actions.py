"""The catalogue's actions in the audit trail, with their labels."""

from django.utils.translation import gettext_lazy as _

from procurement.core import audit_catalog

FAMILIES = {
    "catalog.": (
        _("Catalogues"),
        {
            "catalog.import_applied": _("Price list applied"),
            "catalog.import_proposed": _("Price list proposed by the supplier"),
            "catalog.import_rejected": _("Price list rejected"),
            "catalog.revised": _("Prices revised"),
        },
    ),
}


def register() -> None:
    for prefix, (family, actions) in FAMILIES.items():
        audit_catalog.register(prefix, family, actions)
