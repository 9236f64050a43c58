import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus, Organization, OrganizationKind, User

DEMO_USERS = {
    "imio-admin": Role.ADMIN,
    "imio-buyer": Role.BUYER,
    "imio-finance": Role.FINANCE,
    "namur-officer": Role.MEMBER_OFFICER,
    "namur-approver": Role.MEMBER_APPROVER,
    "namur-finance": Role.FINANCE,
    "liege-officer": Role.MEMBER_OFFICER,
    "liege-approver": Role.MEMBER_APPROVER,
    "supplier-1": Role.SUPPLIER,
    "supplier-2": Role.SUPPLIER,
    "observer": Role.OBSERVER,
}


@pytest.fixture(autouse=True)
def _without_order_history(settings):
    """The orders' history (a minute of orders replayed) has its own test; the platform's demo is tested here."""
    settings.DEMO_LOADERS = [loader for loader in settings.DEMO_LOADERS if not loader.endswith("load_demo_history")]


def counts():
    return (Organization.objects.count(), Membership.objects.count(), User.objects.count(), AuditEntry.objects.count())


@pytest.mark.django_db
def test_seed_demo_loads_a_believable_platform_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert "password “demo”" in capsys.readouterr().out
    kinds = {kind: Organization.objects.filter(kind=kind).count() for kind in OrganizationKind}
    assert kinds[OrganizationKind.CENTRAL_PURCHASING_BODY] == 1
    assert kinds[OrganizationKind.COMMUNE] >= 20
    assert kinds[OrganizationKind.CPAS] == kinds[OrganizationKind.COMMUNE]
    assert kinds[OrganizationKind.POLICE_ZONE] >= 1
    assert kinds[OrganizationKind.SUPPLIER] == 5
    for commune in Organization.objects.filter(kind=OrganizationKind.COMMUNE):
        assert Organization.objects.filter(kind=OrganizationKind.CPAS, nis_code=commune.nis_code).exists()
    statuses = set(Membership.objects.values_list("status", flat=True))
    assert statuses == {MembershipStatus.ACTIVE, MembershipStatus.REQUESTED, MembershipStatus.SUSPENDED}
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE).first()
    assert active.document.read(5) == b"%PDF-"

    for username, role in DEMO_USERS.items():
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        assert role in user.acting.roles, username
    namur_officer = User.objects.get(username="namur-officer")
    assert len(namur_officer.acting.organizations) == 2  # the commune and its CPAS

    # The procedures: a concluded tender with a single-supplier lot and a cascade lot, a
    # tender open for bids, an open needs survey.
    from tenders.models import FrameworkAgreement, NeedsSurvey, Tender

    concluded = Tender.objects.get(reference="IMIO-2026-003")
    assert concluded.status == "concluded"
    agreements = {a.supplier_mode: a for a in FrameworkAgreement.objects.filter(tender=concluded)}
    assert set(agreements) == {"single", "cascade"}
    assert agreements["cascade"].supplier_links.count() == 2
    assert agreements["single"].status == "active"
    open_tender = Tender.objects.get(reference="IMIO-2026-017")
    assert open_tender.accepts_bids()
    assert open_tender.bids.count() == 1
    assert NeedsSurvey.objects.filter(status="open").count() == 1

    # The catalogues: each demo agreement has its lines, imported from the committed spreadsheet,
    # and an indexation of the office supplies is scheduled for the first day of next month.
    from catalog.models import CatalogItem, ItemPrice, PriceRevision

    for agreement in agreements.values():
        assert CatalogItem.objects.filter(agreement=agreement, active=True).count() >= 100, agreement.reference
    assert CatalogItem.objects.filter(agreement=agreements["cascade"]).values("supplier").distinct().count() == 2
    scheduled = ItemPrice.objects.filter(applied=False, item__agreement=agreements["single"])
    assert scheduled.exists()
    assert {price.effective_from.day for price in scheduled} == {1}
    assert all(price.effective_from > timezone.localdate() for price in scheduled)

    before = counts()
    catalogue = (CatalogItem.objects.count(), ItemPrice.objects.count(), PriceRevision.objects.count())
    call_command("seed_demo")
    assert counts() == before
    assert (CatalogItem.objects.count(), ItemPrice.objects.count(), PriceRevision.objects.count()) == catalogue


@pytest.mark.django_db
def test_without_debug_demo_users_get_no_password(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert authenticate(username="namur-officer", password="demo") is None
    assert not User.objects.get(username="namur-officer").has_usable_password()
