"""Every role across every endpoint of the foundation: the status it gets, and that a refused
request changes nothing.

Roles: IMIO staff (admin, buyer, imio_finance) act for IMIO; member roles act for member A,
which has a requested membership; member B (active membership) is another organisation.
"""

import pytest

from tests.api.conftest import client_for
from tests.factories.members import pdf_file
from tests.helpers import database_state

ROLES = [
    "admin",
    "buyer",
    "imio_finance",
    "member_admin",
    "member_officer",
    "member_approver",
    "member_finance",
    "supplier",
    "observer",
]
IMIO = ("admin", "buyer", "imio_finance")
MEMBER_A = ("member_admin", "member_officer", "member_approver", "member_finance")


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


def for_roles(roles, status):
    return dict.fromkeys(roles, status)


CASES = {
    "me": (lambda w: ("get", "/api/v1/me/", None), expect(200)),
    "switch to another's organisation": (
        lambda w: ("post", "/api/v1/me/switch/", {"organization": w.member_b.pk}),
        expect(400),
    ),
    "organisation list": (lambda w: ("get", "/api/v1/organizations/", None), expect(200)),
    "own member organisation": (
        lambda w: ("get", f"/api/v1/organizations/{w.member_a.pk}/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "another member organisation": (
        lambda w: ("get", f"/api/v1/organizations/{w.member_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "register an organisation": (
        lambda w: (
            "post",
            "/api/v1/organizations/",
            {"kind": "supplier", "name": "Nouveau SA", "enterprise_number": "0403.019.261"},
        ),
        expect(403, admin=201),
    ),
    "edit own contact details": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_a.pk}/", {"phone": "+32 81 00 00 00"}),
        expect(403, admin=200, member_admin=200, supplier=404, observer=404),
    ),
    "rename own organisation": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_a.pk}/", {"name": "Renamed"}),
        expect(403, admin=200, supplier=404, observer=404),
    ),
    "edit another member": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_b.pk}/", {"phone": "+32 81 00 00 00"}),
        expect(404, admin=200, buyer=403, imio_finance=403),
    ),
    "membership list": (
        lambda w: ("get", "/api/v1/memberships/", None),
        expect(403, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "own membership": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_a.pk}/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "another member's membership": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "download the signed agreement": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_a.pk}/document/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "activate own membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_a.pk}/activate/", {}),
        expect(404, admin=200, buyer=200, **for_roles(("imio_finance", *MEMBER_A), 403)),
    ),
    "suspend another's membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_b.pk}/suspend/", {"reason": "Test"}),
        expect(404, admin=200, buyer=200, imio_finance=403),
    ),
    "terminate another's membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_b.pk}/terminate/", {"reason": "Test"}),
        expect(404, admin=200, buyer=200, imio_finance=403),
    ),
    "request membership for oneself": (
        lambda w: ("post", "/api/v1/memberships/", {}),
        expect(403, admin=400, buyer=400, member_admin=409, member_officer=409),
    ),
    "request membership for another member": (
        lambda w: ("post", "/api/v1/memberships/", {"member": w.member_b.pk}),
        expect(403, admin=409, buyer=409, member_admin=400, member_officer=400),
    ),
    "attach the signed agreement": (
        lambda w: ("multipart", f"/api/v1/memberships/{w.membership_a.pk}/document/", {"document": pdf_file()}),
        expect(
            404,
            admin=200,
            buyer=200,
            member_admin=200,
            member_officer=200,
            **for_roles(("imio_finance", "member_approver", "member_finance"), 403),
        ),
    ),
    "people list": (lambda w: ("get", "/api/v1/users/", None), expect(200, observer=403)),
    "another member's person": (
        lambda w: ("get", f"/api/v1/users/{w.officer_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "invite into member A": (
        lambda w: (
            "post",
            "/api/v1/users/invite/",
            {"email": "new@example.org", "roles": ["member_officer"], "organization": w.member_a.pk},
        ),
        expect(403, admin=201, member_admin=201),
    ),
    "grant a role in member B": (
        lambda w: (
            "post",
            f"/api/v1/users/{w.officer_b.pk}/grant/",
            {"role": "finance", "organization": w.member_b.pk},
        ),
        expect(404, admin=200, buyer=403, imio_finance=403),
    ),
    "revoke a role in member A": (
        lambda w: (
            "post",
            f"/api/v1/users/{w.users['member_officer'].pk}/revoke/",
            {"role": "member_officer", "organization": w.member_a.pk},
        ),
        expect(403, admin=200, member_admin=200, supplier=404, observer=404),
    ),
    "CPV list": (lambda w: ("get", "/api/v1/cpv/?search=effaceurs", None), expect(200)),
    "audit trail": (lambda w: ("get", "/api/v1/audit/", None), expect(200, observer=403)),
    # Needs surveys: IMIO prepares; member staff see open ones; suppliers and observers see none.
    "survey list": (
        lambda w: ("get", "/api/v1/surveys/", None),
        expect(403, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "open survey": (
        lambda w: ("get", f"/api/v1/surveys/{w.tenders.open_survey.pk}/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "draft survey": (
        lambda w: ("get", f"/api/v1/surveys/{w.tenders.draft_survey.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "prepare a survey": (
        lambda w: (
            "post",
            "/api/v1/surveys/",
            {
                "title": "Mobilier",
                "closes_at": "2099-01-01T12:00:00+01:00",
                "items": [
                    {"description": "Chaise", "unit": "C62", "cpv_code": "30192000-1", "estimated_unit_price": "80"}
                ],
            },
        ),
        expect(403, buyer=201),
    ),
    "open a draft survey": (
        lambda w: ("post", f"/api/v1/surveys/{w.tenders.draft_survey.pk}/open/", None),
        expect(404, buyer=200, admin=403, imio_finance=403),
    ),
    "survey declarations": (
        lambda w: ("get", f"/api/v1/surveys/{w.tenders.open_survey.pk}/declarations/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    # Member A's membership is only requested: it cannot declare yet.
    "declare needs": (
        lambda w: (
            "post",
            f"/api/v1/surveys/{w.tenders.open_survey.pk}/declarations/",
            [{"item": w.tenders.open_survey.items.get().pk, "quantity": "100"}],
        ),
        expect(403, member_admin=409, member_officer=409, supplier=404, observer=404),
    ),
    # Tenders: drafts are IMIO's; published ones are everybody's.
    "tender list": (lambda w: ("get", "/api/v1/tenders/", None), expect(200)),
    "draft tender": (
        lambda w: ("get", f"/api/v1/tenders/{w.tenders.draft.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "published tender": (lambda w: ("get", f"/api/v1/tenders/{w.tenders.tender.pk}/", None), expect(200)),
    "draft a tender": (
        lambda w: (
            "post",
            "/api/v1/tenders/",
            {"reference": "IMIO-2099-001", "title": "Mobilier", "contract_type": "supplies", "cpv_code": "30192000-1"},
        ),
        expect(403, buyer=201),
    ),
    "publish the draft": (
        lambda w: ("post", f"/api/v1/tenders/{w.tenders.draft.pk}/publish/", None),
        expect(404, buyer=200, admin=403, imio_finance=403),
    ),
    "open the bids before the opening time": (
        lambda w: ("post", f"/api/v1/tenders/{w.tenders.tender.pk}/open_bids/", None),
        expect(403, buyer=409),
    ),
    "cancel a published tender": (
        lambda w: ("post", f"/api/v1/tenders/{w.tenders.tender.pk}/cancel/", {"reason": "Besoin disparu"}),
        expect(403, buyer=200),
    ),
    "tender documents": (
        lambda w: ("get", f"/api/v1/tenders/{w.tenders.tender.pk}/documents/", None),
        expect(200),
    ),
    "questions and answers": (
        lambda w: ("get", f"/api/v1/tenders/{w.tenders.tender.pk}/questions/", None),
        expect(200),
    ),
    "ask a question": (
        lambda w: ("post", f"/api/v1/tenders/{w.tenders.tender.pk}/questions/", {"question": "Format A3 ?"}),
        expect(403, supplier=201),
    ),
    # Bids: the buyer sees all (sealed), a supplier its own; nobody else any.
    "bid list": (lambda w: ("get", "/api/v1/bids/", None), expect(403, buyer=200, supplier=200)),
    "own bid": (
        lambda w: ("get", f"/api/v1/bids/{w.tenders.own_bid.pk}/", None),
        expect(404, buyer=200, supplier=200),
    ),
    "another supplier's bid": (
        lambda w: ("get", f"/api/v1/bids/{w.tenders.other_bid.pk}/", None),
        expect(404, buyer=200),
    ),
    "submit a bid": (
        lambda w: (
            "post",
            "/api/v1/bids/",
            {"lot": w.tenders.tender.lots.get(number=2).pk, "total_amount": "1000.00"},
        ),
        expect(403, supplier=201),
    ),
    "submit a second bid for the same lot": (
        lambda w: (
            "post",
            "/api/v1/bids/",
            {"lot": w.tenders.tender.lots.get(number=1).pk, "total_amount": "1000.00"},
        ),
        expect(403, supplier=409),
    ),
    "withdraw another supplier's bid": (
        lambda w: ("post", f"/api/v1/bids/{w.tenders.other_bid.pk}/withdraw/", None),
        expect(404, buyer=403),
    ),
    "withdraw own bid": (
        lambda w: ("post", f"/api/v1/bids/{w.tenders.own_bid.pk}/withdraw/", None),
        expect(404, buyer=403, supplier=200),
    ),
    "score a sealed bid": (
        lambda w: ("post", f"/api/v1/bids/{w.tenders.other_bid.pk}/score/", {"points": {}}),
        expect(404, buyer=409),
    ),
    # Agreements: everybody sees them, a supplier only those it is party to.
    "agreement list": (lambda w: ("get", "/api/v1/agreements/", None), expect(200)),
    "own agreement": (lambda w: ("get", f"/api/v1/agreements/{w.tenders.own_agreement.pk}/", None), expect(200)),
    "another supplier's agreement": (
        lambda w: ("get", f"/api/v1/agreements/{w.tenders.other_agreement.pk}/", None),
        expect(200, supplier=404),
    ),
    "terminate an agreement": (
        lambda w: ("post", f"/api/v1/agreements/{w.tenders.other_agreement.pk}/terminate/", {"reason": "Faillite"}),
        expect(403, buyer=200, supplier=404),
    ),
    # Catalogues: members and IMIO see every usable agreement's lines, a supplier its own.
    "catalogue search": (lambda w: ("get", "/api/v1/catalog/items/?search=ramette", None), expect(200, observer=403)),
    "another supplier's catalogue line": (
        lambda w: ("get", f"/api/v1/catalog/items/{w.catalog.other_line.pk}/", None),
        expect(200, supplier=404, observer=404),
    ),
    "own catalogue line": (
        lambda w: ("get", f"/api/v1/catalog/items/{w.catalog.own_line.pk}/", None),
        expect(200, observer=404),
    ),
    "export a catalogue": (
        lambda w: ("get", f"/api/v1/catalog/items/export/?agreement={w.tenders.own_agreement.pk}&as=csv", None),
        expect(200, observer=403),
    ),
    "price-list imports": (
        lambda w: ("get", "/api/v1/catalog/imports/", None),
        expect(403, buyer=200, supplier=200),
    ),
    "upload another supplier's price list": (
        lambda w: (
            "multipart",
            "/api/v1/catalog/imports/",
            {"agreement": w.tenders.other_agreement.pk, "file": _price_list(), "mode": "delta"},
        ),
        expect(403, buyer=201, supplier=400),  # the supplier does not see that agreement: an unknown one
    ),
    "apply another supplier's import": (
        lambda w: ("post", f"/api/v1/catalog/imports/{w.catalog.other_import.pk}/apply/", {}),
        expect(404, buyer=200),
    ),
    "revise an agreement's prices": (
        lambda w: (
            "post",
            "/api/v1/catalog/revisions/",
            {
                "agreement": w.tenders.own_agreement.pk,
                "kind": "percentage",
                "percentage": "2",
                "effective_date": "2099-01-01",
                "reason": "Indexation",
            },
        ),
        expect(403, buyer=201),
    ),
    # Orders: a member's own (member B's here: member A's roles get 404), the supplier those sent to it.
    "order list": (lambda w: ("get", "/api/v1/orders/", None), expect(200, observer=403)),
    "another member's order sent to the supplier": (
        lambda w: ("get", f"/api/v1/orders/{w.orders.sent.pk}/", None),
        expect(404, **for_roles(IMIO, 200), supplier=200),
    ),
    "another member's draft order": (
        lambda w: ("get", f"/api/v1/orders/{w.orders.draft.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "submit another member's draft": (
        lambda w: ("post", f"/api/v1/orders/{w.orders.draft.pk}/submit/", {}),
        expect(404, **for_roles(IMIO, 403)),
    ),
    "approve another member's order": (
        lambda w: ("post", f"/api/v1/orders/{w.orders.draft.pk}/approve/", {}),
        expect(404, **for_roles(IMIO, 403)),
    ),
    "confirm an order sent to the supplier": (
        lambda w: ("post", f"/api/v1/orders/{w.orders.sent.pk}/confirm/", {}),
        expect(404, **for_roles(IMIO, 403), supplier=200),
    ),
    "cancel another member's order": (
        lambda w: ("post", f"/api/v1/orders/{w.orders.sent.pk}/cancel/", {"reason": "Non"}),
        expect(404, **for_roles(IMIO, 403), supplier=403),
    ),
    "purchase order PDF": (
        lambda w: ("get", f"/api/v1/orders/{w.orders.sent.pk}/pdf/", None),
        expect(404, **for_roles(IMIO, 200), supplier=200),
    ),
    "own cart": (lambda w: ("get", "/api/v1/cart/", None), expect(403, member_officer=200)),
    "add to the cart without an active membership": (
        lambda w: ("post", "/api/v1/cart/lines/", {"item": w.catalog.own_line.pk, "quantity": "1"}),
        expect(403, member_officer=409),
    ),
    "check out without an active membership": (
        lambda w: (
            "post",
            "/api/v1/cart/checkout/",
            {"budget_article": "104/742-53", "delivery_address": "Rue 1", "contact_name": "Claire"},
        ),
        expect(403, member_officer=409),
    ),
    "subscriptions": (lambda w: ("get", "/api/v1/subscriptions/", None), expect(200, observer=403)),
    "subscribe without an active membership": (
        lambda w: (
            "post",
            "/api/v1/subscriptions/",
            {"agreement": w.tenders.own_agreement.pk, "estimated_value": "1000"},
        ),
        expect(403, member_officer=409),
    ),
    "approval chain": (lambda w: ("get", "/api/v1/approval-chain/", None), expect(200, observer=403)),
    "configure the approval chain": (
        lambda w: ("put", "/api/v1/approval-chain/", {"steps": [{"name": "Décision du collège", "kind": "decision"}]}),
        expect(403, member_admin=200),
    ),
    "mini-competitions": (lambda w: ("get", "/api/v1/competitions/", None), expect(200, observer=403)),
    "open a mini-competition under a catalogue agreement": (
        lambda w: (
            "post",
            "/api/v1/competitions/",
            {
                "agreement": w.tenders.own_agreement.pk,
                "member": w.member_b.pk,
                "title": "Chaises",
                "description": "Chaises",
                "deadline": "2099-01-01T12:00:00Z",
                "lines": [{"description": "Chaise", "quantity": "4"}],
                "budget_article": "104/742-53",
                "delivery_address": "Rue 1",
                "contact_name": "Claire",
            },
        ),
        expect(403, buyer=409, member_officer=409),
    ),
    "off-platform call-offs": (lambda w: ("get", "/api/v1/call-offs/", None), expect(200, observer=403)),
    "record an off-platform call-off": (
        lambda w: (
            "post",
            "/api/v1/call-offs/",
            {
                "agreement": w.tenders.own_agreement.pk,
                "member": w.member_b.pk,
                "supplier": w.supplier.pk,
                "reference": "CMD-118",
                "ordered_on": w.tenders.own_agreement.start_date.isoformat(),
                "amount_excl_vat": "1250.00",
                "source": "supplier",
            },
        ),
        expect(403, buyer=201),
    ),
    # Reports: what each reads is decided by the reports' scope; officers and approvers run none.
    "report list": (
        lambda w: ("get", "/api/v1/reports/", None),
        expect(200, member_officer=403, member_approver=403),
    ),
    "spend report": (
        lambda w: ("get", "/api/v1/reports/spend/?group_by=member,month", None),
        expect(200, member_officer=403, member_approver=403),
    ),
    "spend report as CSV": (
        lambda w: ("get", "/api/v1/reports/spend/?format=csv", None),
        expect(200, member_officer=403, member_approver=403),
    ),
    "order register": (
        lambda w: ("get", "/api/v1/reports/register/", None),
        expect(200, member_officer=403, member_approver=403, observer=403),
    ),
    # Member A's people may not name member B: an invalid choice.
    "member B's statement": (
        lambda w: ("get", f"/api/v1/reports/statement/?member={w.member_b.pk}", None),
        expect(403, **for_roles(IMIO, 200), member_admin=400, member_finance=400),
    ),
    "annual report": (
        lambda w: ("get", "/api/v1/reports/annual/", None),
        expect(403, **for_roles(IMIO, 200), observer=200),
    ),
    # A background export is its requester's only (IMIO's finance here), even for its colleagues.
    "another's report export": (
        lambda w: ("get", f"/api/v1/reports/exports/{_report_export(w).pk}/", None),
        expect(404, imio_finance=200, member_officer=403, member_approver=403),
    ),
    "download another's report export": (
        lambda w: ("get", f"/api/v1/reports/exports/{_report_export(w).pk}/download/", None),
        expect(404, imio_finance=200, member_officer=403, member_approver=403),
    ),
    # Open contracting: public, the same for everyone, and read-only.
    "OCDS releases": (lambda w: ("get", "/api/v1/ocds/releases/", None), expect(200)),
    "OCDS records": (lambda w: ("get", "/api/v1/ocds/records/", None), expect(200)),
    "OCDS releases cannot be posted": (lambda w: ("post", "/api/v1/ocds/releases/", {}), expect(405)),
}


def _report_export(w):
    """A built CSV export of the spend, asked by IMIO's finance for IMIO, kept for a day."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import ExportStatus, ReportExport

    export = ReportExport.objects.create(
        report="spend",
        format="csv",
        requested_by=w.users["imio_finance"],
        organization=w.imio,
        status=ExportStatus.DONE,
        filename="spend.csv",
        rows=0,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    export.file.save("spend.csv", ContentFile(b"\xef\xbb\xbfMember;Orders\r\n"))
    return export


def _price_list():
    from tests.catalog.conftest import xlsx

    return xlsx([["N-1", "Agrafeuse", "C62", "5", "21", "", ""]])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_role_gets_the_expected_status_and_a_refusal_changes_nothing(world, case, role):
    build, expected = CASES[case]
    method, path, data = build(world)  # builds what the case needs before the state is taken
    client = client_for(world.users[role])
    before = database_state()
    if method == "multipart":
        response = client.post(path, data, format="multipart")
    else:
        response = (
            getattr(client, method)(path, data, format="json") if data is not None else getattr(client, method)(path)
        )
    assert response.status_code == expected[role], (case, role, getattr(response, "data", response))
    if response.status_code >= 400:
        assert database_state() == before
        if response.status_code == 409:
            assert set(response.json()) == {"code", "detail"}
