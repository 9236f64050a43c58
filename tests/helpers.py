"""Assertions shared by the tests."""

from catalog import models as catalog
from procurement.core.models import AuditEntry
from procurement.members.models import Membership, Organization, RoleAssignment, User
from procurement.orders import models as orders
from tenders import models as tenders


def database_state() -> dict:
    """Everything a denied request must leave untouched."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("user_id", "organization_id", "role")),
        "users": list(
            User.objects.order_by("pk").values(
                "pk", "username", "email", "password", "is_active", "is_staff", "active_organization_id"
            )
        ),
        "audit_entries": AuditEntry.objects.count(),
        "surveys": list(tenders.NeedsSurvey.objects.order_by("pk").values()),
        "declarations": list(tenders.SurveyDeclaration.objects.order_by("pk").values()),
        "tenders": list(tenders.Tender.objects.order_by("pk").values()),
        "lots": list(tenders.Lot.objects.order_by("pk").values()),
        "documents": list(tenders.TenderDocument.objects.order_by("pk").values("pk", "sha256")),
        "questions": list(tenders.Question.objects.order_by("pk").values()),
        "bids": list(tenders.Bid.objects.order_by("pk").values()),
        "scores": list(tenders.QualityScore.objects.order_by("pk").values()),
        "agreements": list(tenders.FrameworkAgreement.objects.order_by("pk").values()),
        "agreement_suppliers": list(tenders.AgreementSupplier.objects.order_by("pk").values()),
        "amendments": tenders.AgreementAmendment.objects.count(),
        "catalog_items": list(catalog.CatalogItem.objects.order_by("pk").values()),
        "item_prices": list(catalog.ItemPrice.objects.order_by("pk").values()),
        "imports": list(catalog.PriceListImport.objects.order_by("pk").values("pk", "status")),
        "revisions": catalog.PriceRevision.objects.count(),
        "subscriptions": list(orders.Subscription.objects.order_by("pk").values()),
        "approval_steps": list(orders.ApprovalStep.objects.order_by("pk").values()),
        "cart_lines": list(orders.CartLine.objects.order_by("pk").values()),
        "orders": list(orders.Order.objects.order_by("pk").values()),
        "order_lines": list(orders.OrderLine.objects.order_by("pk").values()),
        "order_counters": list(orders.OrderCounter.objects.order_by("pk").values()),
        "approvals": list(orders.OrderApproval.objects.order_by("pk").values()),
        "deliveries": list(orders.DeliveryLine.objects.order_by("pk").values()),
        "call_offs": list(orders.OffPlatformCallOff.objects.order_by("pk").values()),
        "competitions": list(orders.Competition.objects.order_by("pk").values()),
        "competition_lines": list(orders.CompetitionLine.objects.order_by("pk").values()),
        "quotes": list(
            orders.Quote.objects.order_by("pk").values(
                "pk", "status", "receipt_digest", "total_excl_vat", "quality_points"
            )
        ),
    }
