"""The ordering side's actions in the audit trail, with their labels."""

from django.utils.translation import gettext_lazy as _

from procurement.core import audit_catalog

FAMILIES = {
    "subscription.": (
        _("Subscriptions"),
        {
            "subscription.created": _("Subscribed to an agreement"),
            "subscription.updated": _("Subscription estimate changed"),
            "subscription.ended": _("Subscription ended"),
        },
    ),
    "approval_chain.": (_("Approval chains"), {"approval_chain.configured": _("Approval chain configured")}),
    "cart.": (
        _("Carts"),
        {
            "cart.line_added": _("Added to the cart"),
            "cart.line_changed": _("Cart line changed"),
            "cart.line_removed": _("Removed from the cart"),
        },
    ),
    "order.": (
        _("Orders"),
        {
            "order.created": _("Order created"),
            "order.submitted": _("Order submitted for approval"),
            "order.step_approved": _("Approval step passed"),
            "order.approved": _("Order approved"),
            "order.rejected": _("Order rejected"),
            "order.sent": _("Order sent to the supplier"),
            "order.confirmed": _("Order confirmed by the supplier"),
            "order.declined": _("Order declined by the supplier"),
            "order.readdressed": _("Order re-addressed in the cascade"),
            "order.partially_delivered": _("Partial delivery recorded"),
            "order.delivered": _("Delivery recorded"),
            "order.closed": _("Order closed"),
            "order.cancelled": _("Order cancelled"),
        },
    ),
    "competition.": (
        _("Mini-competitions"),
        {
            "competition.created": _("Mini-competition prepared"),
            "competition.published": _("Mini-competition published"),
            "competition.cancelled": _("Mini-competition cancelled"),
            "competition.closed": _("Quotes opened"),
            "competition.awarded": _("Mini-competition awarded"),
        },
    ),
    "quote.": (
        _("Quotes"),
        {"quote.submitted": _("Quote submitted"), "quote.withdrawn": _("Quote withdrawn")},
    ),
    "call_off.": (
        _("Off-platform call-offs"),
        {
            "call_off.recorded": _("Off-platform call-off recorded"),
            "call_off.cancelled": _("Off-platform call-off cancelled"),
        },
    ),
}


def register() -> None:
    for prefix, (family, actions) in FAMILIES.items():
        audit_catalog.register(prefix, family, actions)
