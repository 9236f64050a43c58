"""The ordering journey through the services: cart, checkout, approval chain, ceiling, supplier, delivery."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus
from procurement.orders import selectors, services
from procurement.orders.models import CartLine, Order, OrderStatus
from tenders.models import AgreementStatus
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import DELIVERY, approved, catalogue_line, checkout, placed, sent, subscribe
from tests.factories.tenders import concluded_agreement
from tests.helpers import database_state

pytestmark = pytest.mark.django_db
D = Decimal


def fresh(instance):
    instance.refresh_from_db()
    return instance


# --- Checkout -----------------------------------------------------------------------------------


def test_checkout_freezes_each_line_and_computes_vat_per_rate(officer, items, subscription):
    order = placed(officer, {items["paper"]: 7, items["book"]: 3, items["hour"]: "2.5"})

    lines = list(
        order.lines.order_by("position").values_list(
            "supplier_reference", "quantity", "unit_price", "vat_rate", "amount_excl_vat"
        )
    )
    assert lines == [
        ("P-A4", D("7.000"), D("3.2549"), D("21.00"), D("22.78")),  # 22.7843 → 22.78
        ("LIV-1", D("3.000"), D("24.9900"), D("6.00"), D("74.97")),
        ("H-INST", D("2.500"), D("65.0000"), D("21.00"), D("162.50")),  # hours may be fractional
    ]
    # VAT per rate on the sum of its lines: 21 % of 185.28 = 38.9088 → 38.91; 6 % of 74.97 = 4.4982 → 4.50
    assert (order.total_excl_vat, order.total_vat, order.total_incl_vat) == (D("260.25"), D("43.41"), D("303.66"))
    assert (order.status, order.number, order.budget_article) == (
        OrderStatus.DRAFT,
        f"BC-{order.year}-00001",
        "104/742-53",
    )
    assert order.lines.get(position=1).list_price == D("4.1000")
    assert not CartLine.objects.exists()  # the cart is emptied


def test_a_price_change_after_checkout_does_not_touch_the_order(officer, items, subscription):
    order = placed(officer, {items["paper"]: 10})
    items["paper"].unit_price = D("9.9999")
    items["paper"].save()

    assert fresh(order).lines.get().unit_price == D("3.2549")
    assert order.total_excl_vat == D("32.55")


def test_a_cart_becomes_one_order_per_agreement_and_supplier(officer, member, items, subscription):
    rival = SupplierFactory(name="Informatique Wallonne SA")
    other = concluded_agreement(suppliers=[rival])
    subscribe(member, other)
    laptop = catalogue_line(other, rival, "LAP-14", "890.00", name="Ordinateur portable 14 pouces")

    orders = checkout(officer, {items["paper"]: 5, laptop: 2, items["book"]: 1})

    assert [(o.number[-5:], o.agreement_id, o.supplier_id, o.lines.count()) for o in orders] == [
        ("00001", items["paper"].agreement_id, items["paper"].supplier_id, 2),
        ("00002", other.pk, rival.pk, 1),
    ]


def test_order_numbers_are_sequential_per_member(officer, member, items, subscription, agreement, company):
    neighbour = OrganizationFactory()
    MembershipFactory(member=neighbour)
    subscribe(neighbour, agreement)
    neighbour_officer = person(neighbour, Role.MEMBER_OFFICER)

    first = placed(officer, {items["paper"]: 1})
    other = placed(neighbour_officer, {items["paper"]: 1})
    second = placed(officer, {items["book"]: 1})

    year = first.year
    assert [first.number, second.number, other.number] == [f"BC-{year}-00001", f"BC-{year}-00002", f"BC-{year}-00001"]


@pytest.mark.parametrize(
    ("item", "quantity", "message"),
    [
        ("paper", 0, "Enter a quantity above zero."),
        ("paper", "-2", "Enter a quantity above zero."),
        ("paper", "2.5", "This line is counted in whole units (piece): enter a whole number."),
        ("paper", "abc", "Enter a number."),
        ("paper", "1e9", "A quantity above 1,000,000 is not plausible: check it."),
        ("hour", "0.0001", "A quantity has at most 3 decimals."),
        ("hour", "200", "This quantity exceeds the agreement's whole maximum value: check it."),
    ],
)
def test_bad_quantities_are_refused_and_change_nothing(officer, items, subscription, item, quantity, message):
    before = database_state()
    with pytest.raises(ValidationError) as refused:
        services.cart_add(actor=officer, item=items[item], quantity=quantity)
    assert refused.value.message_dict == {"quantity": [message]}
    assert database_state() == before


def test_the_minimum_quantity_is_respected(officer, agreement, company, subscription):
    box = catalogue_line(agreement, company, "ENV-500", "12.00", min_quantity=D("5"))
    with pytest.raises(ValidationError) as refused:
        services.cart_add(actor=officer, item=box, quantity=4)
    assert refused.value.message_dict == {"quantity": ["The minimum order for this line is 5 piece."]}
    assert services.cart_add(actor=officer, item=box, quantity=5).quantity == D("5")


def test_only_a_subscribed_member_with_an_active_membership_orders(officer, member, items, agreement):
    with pytest.raises(DomainError) as refused:
        services.cart_add(actor=officer, item=items["paper"], quantity=1)
    assert refused.value.code == "not_subscribed"

    subscribe(member, agreement)
    services.cart_add(actor=officer, item=items["paper"], quantity=1)
    Membership.objects.filter(member=member).update(status=MembershipStatus.SUSPENDED)
    with pytest.raises(DomainError) as refused:
        services.cart_checkout(actor=officer, **DELIVERY)
    assert refused.value.code == "membership_not_active"
    assert str(refused.value) == f"{member}'s membership is suspended: it cannot place new orders."
    assert not Order.objects.exists()


def test_a_withdrawn_line_or_an_agreement_not_open_to_the_member_cannot_be_ordered(officer, member, items, company):
    items["paper"].active = False
    items["paper"].save()
    named = concluded_agreement(suppliers=[company], beneficiary_scope="named")
    subscribe(member, named)
    hidden = catalogue_line(named, company, "X-1", "1.00")

    for item in (items["paper"], hidden):
        with pytest.raises(ValidationError) as refused:
            services.cart_add(actor=officer, item=item, quantity=1)
        assert refused.value.message_dict == {
            "item": ["This catalogue line cannot be ordered: it is withdrawn or not yours to order."]
        }


@pytest.mark.parametrize("article", ["104/742-53", "76301/124-02", "104/742-53/2026", " 104 / 742-53 "])
def test_walloon_budget_articles_are_accepted(officer, items, subscription, article):
    assert placed(officer, {items["paper"]: 1}, budget_article=article).budget_article == article.replace(" ", "")


@pytest.mark.parametrize("article", ["", "104-742-53", "ABC/742-53", "104/74253"])
def test_a_malformed_budget_article_is_refused(officer, items, subscription, article):
    services.cart_add(actor=officer, item=items["paper"], quantity=1)
    with pytest.raises(ValidationError) as refused:
        services.cart_checkout(actor=officer, **(DELIVERY | {"budget_article": article}))
    assert list(refused.value.message_dict) == ["budget_article"]
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 1  # the cart is kept


# --- Approval and the ceiling ---------------------------------------------------------------------


def test_the_approval_chain_adds_the_visa_above_its_threshold(
    officer, member, member_admin, approver, second_approver, items, subscription
):
    services.approval_chain_set(
        actor=member_admin,
        steps=[
            {"name": "Visa du directeur financier", "kind": "visa", "threshold": "1000.00"},
            {"name": "Décision du collège", "kind": "decision"},
        ],
    )
    small = placed(officer, {items["paper"]: 10})
    big = placed(officer, {items["hour"]: 20})  # 1,300.00 €

    services.order_submit(actor=officer, order=small)
    services.order_submit(actor=officer, order=big)
    assert [step["name"] for step in fresh(small).approval_chain] == ["Décision du collège"]
    assert [step["name"] for step in fresh(big).approval_chain] == [
        "Visa du directeur financier",
        "Décision du collège",
    ]

    services.order_approve(actor=approver, order=big, decision_reference="Visa 2026/114")
    assert (fresh(big).status, big.consumed) == (OrderStatus.SUBMITTED, D("0.00"))
    assert services.next_step(big)["name"] == "Décision du collège"
    with pytest.raises(PermissionDenied):  # the same person does not decide both steps
        services.order_approve(actor=approver, order=big)

    services.order_approve(actor=second_approver, order=big, decision_reference="Collège du 12/03, point 14")
    assert (fresh(big).status, big.consumed, big.agreement.consumed_value) == (
        OrderStatus.APPROVED,
        D("1300.00"),
        D("1300.00"),
    )
    assert list(big.approvals.values_list("step_name", "decided_by__username", "decision_reference")) == [
        ("Visa du directeur financier", "commune-approver", "Visa 2026/114"),
        ("Décision du collège", "commune-director", "Collège du 12/03, point 14"),
    ]


def test_approving_needs_the_approver_role_of_the_member(officer, other_officer, member, items, subscription):
    order = placed(officer, {items["paper"]: 1})
    services.order_submit(actor=officer, order=order)
    for intruder in (officer, other_officer):
        with pytest.raises(PermissionDenied):
            services.order_approve(actor=intruder, order=order)
    assert fresh(order).status == OrderStatus.SUBMITTED
    assert not order.approvals.exists()


def test_an_order_that_does_not_fit_is_refused_naming_what_remains(officer, approver, items, subscription, agreement):
    approved(officer, approver, {items["hour"]: 100})  # 6,500.00 of 10,000.00
    order = placed(officer, {items["hour"]: 60})  # 3,900.00
    services.order_submit(actor=officer, order=order)

    with pytest.raises(DomainError) as refused:
        services.order_approve(actor=approver, order=order)

    assert refused.value.code == "ceiling_exceeded"
    assert str(refused.value) == (
        f"Order {order.number} (3900.00 € excl. VAT) does not fit in what remains of the agreement "
        f"{agreement.reference}: 3500.00 € excl. VAT."
    )
    assert (fresh(order).status, fresh(agreement).consumed_value) == (OrderStatus.SUBMITTED, D("6500.00"))
    assert not order.approvals.exists()  # the refused decision is not recorded


def test_buyers_are_alerted_once_at_80_90_and_100_percent_and_the_agreement_is_exhausted(
    officer, approver, buyer, items, subscription, agreement, company, django_capture_on_commit_callbacks
):
    unit = catalogue_line(agreement, company, "UNIT", "1.00", name="Unité de compte")
    mail.outbox.clear()

    def alerts():
        return list(
            AuditEntry.objects.filter(action="agreement.consumption_alert")
            .order_by("pk")
            .values_list("data__percent", flat=True)
        )

    with django_capture_on_commit_callbacks(execute=True):
        approved(officer, approver, {unit: 7999})
        assert alerts() == []
        approved(officer, approver, {unit: 1})  # 8,000.00: 80 %
        approved(officer, approver, {unit: 500})  # 85 %: nothing new
        assert alerts() == [80]
        approved(officer, approver, {unit: 1000})  # 95 %
        assert alerts() == [80, 90]
        last = approved(officer, approver, {unit: 500})  # 100 %

    assert alerts() == [80, 90, 100]
    assert fresh(agreement).status == AgreementStatus.EXHAUSTED
    subjects = [message.subject for message in mail.outbox if message.to == [buyer.email]]
    assert subjects == [
        f"Framework agreement {agreement.reference} has consumed {percent} % of its maximum"
        for percent in (80, 90, 100)
    ]
    with pytest.raises(ValidationError):  # no more lines can be put in a cart
        services.cart_add(actor=officer, item=unit, quantity=1)

    services.order_cancel(actor=officer, order=last, reason="Erreur de quantité")
    assert (fresh(agreement).status, agreement.consumed_value) == (AgreementStatus.ACTIVE, D("9500.00"))
    approved(officer, approver, {unit: 100})
    assert alerts() == [80, 90, 100]  # once each, even after going down and up again


def test_rejection_needs_a_reason_and_consumes_nothing(officer, approver, items, subscription, agreement):
    order = placed(officer, {items["paper"]: 3})
    services.order_submit(actor=officer, order=order)
    with pytest.raises(ValidationError):
        services.order_reject(actor=approver, order=order, reason=" ")

    services.order_reject(actor=approver, order=order, reason="Budget épuisé", decision_reference="Collège 14/03")

    assert (fresh(order).status, order.status_reason, order.consumed) == (OrderStatus.REJECTED, "Budget épuisé", D("0"))
    assert fresh(agreement).consumed_value == D("0.00")
    with pytest.raises(DomainError):
        services.order_approve(actor=approver, order=order)


# --- The supplier, deliveries, closing ------------------------------------------------------------


def test_the_supplier_confirms_and_delivers_in_parts(officer, approver, supplier_user, items, subscription, agreement):
    order = sent(officer, approver, {items["paper"]: 10, items["book"]: 2})
    paper, book = order.lines.order_by("position")
    services.order_confirm(actor=supplier_user, order=order)

    services.order_deliver(actor=supplier_user, order=order, quantities={paper.pk: 4}, reference="BL-1")
    assert fresh(order).status == OrderStatus.PARTIALLY_DELIVERED
    with pytest.raises(ValidationError) as refused:
        services.order_deliver(actor=supplier_user, order=order, quantities={paper.pk: 7})
    assert refused.value.message_dict == {"quantities": ["P-A4: at most 6 remain to deliver."]}
    services.order_deliver(actor=supplier_user, order=order, quantities={paper.pk: 6, book.pk: 2}, reference="BL-2")

    assert fresh(order).status == OrderStatus.DELIVERED
    assert list(order.deliveries.values_list("reference", flat=True)) == ["BL-1", "BL-2"]
    services.order_close(actor=officer, order=order)
    assert (fresh(order).status, order.consumed, fresh(agreement).consumed_value) == (
        OrderStatus.CLOSED,
        order.total_excl_vat,
        order.total_excl_vat,
    )


def test_closing_a_partly_delivered_order_releases_the_undelivered_remainder(
    officer, approver, supplier_user, items, subscription, agreement
):
    order = sent(officer, approver, {items["paper"]: 10, items["hour"]: 4})  # 32.55 + 260.00
    paper, hours = order.lines.order_by("position")
    services.order_confirm(actor=supplier_user, order=order)
    services.order_deliver(actor=supplier_user, order=order, quantities={paper.pk: 10, hours.pk: "1.5"})

    with pytest.raises(ValidationError):
        services.order_close(actor=officer, order=order)  # the reason is required
    services.order_close(actor=officer, order=order, reason="Installation faite par nos services")

    # delivered: 32.55 + 1.5 × 65 = 130.05; released: 292.55 − 130.05 = 162.50
    assert (fresh(order).consumed, fresh(agreement).consumed_value) == (D("130.05"), D("130.05"))
    [entry] = AuditEntry.objects.filter(action="order.closed")
    assert entry.data["released"] == "162.50"


def test_a_decline_holds_the_amount_until_the_order_is_cancelled(
    officer, approver, supplier_user, items, subscription, agreement
):
    order = sent(officer, approver, {items["paper"]: 10})
    services.order_decline(actor=supplier_user, order=order, reason="Rupture de stock")
    assert (fresh(order).status, fresh(agreement).consumed_value) == (OrderStatus.DECLINED, D("32.55"))

    with pytest.raises(DomainError) as refused:  # a single-supplier agreement has nobody next
        services.order_readdress(actor=officer, order=order)
    assert refused.value.code == "cascade_end"
    services.order_cancel(actor=officer, order=order, reason="Commandé ailleurs après refus")
    assert (fresh(order).status, order.consumed, fresh(agreement).consumed_value) == (
        OrderStatus.CANCELLED,
        D("0.00"),
        D("0.00"),
    )


def test_in_a_cascade_a_declined_order_goes_to_the_next_supplier_at_its_prices(officer, approver, member, company):
    second = SupplierFactory(name="Papeterie Ardennaise SPRL")
    second_user = person(second, Role.SUPPLIER)
    cascade = concluded_agreement(suppliers=[company, second], maximum="5000.00", estimated="4000.00")
    subscribe(member, cascade)
    first_line = catalogue_line(cascade, company, "P-A4", "3.20", name="Ramette papier A4 80 g")
    catalogue_line(cascade, second, "ARD-0042", "3.45", name="Ramette papier A4 80 g")
    later = catalogue_line(cascade, second, "ARD-0099", "1.00", name="Enveloppes")
    first_user = person(company, Role.SUPPLIER)

    with pytest.raises(DomainError) as refused:  # the second-ranked supplier is not asked first
        checkout(officer, {later: 1})
    assert refused.value.code == "cascade_rank"
    CartLine.objects.all().delete()

    order = sent(officer, approver, {first_line: 100})
    services.order_decline(actor=first_user, order=order, reason="Plus de stock")
    services.order_readdress(actor=officer, order=order)

    order = fresh(order)
    assert (order.status, order.supplier, order.total_excl_vat, order.consumed) == (
        OrderStatus.SENT,
        second,
        D("345.00"),
        D("345.00"),
    )
    assert list(order.lines.values_list("supplier_reference", "unit_price")) == [("ARD-0042", D("3.4500"))]
    assert fresh(cascade).consumed_value == D("345.00")  # kept, adjusted to the new prices
    services.order_confirm(actor=second_user, order=order)
    with pytest.raises(PermissionDenied):  # the first supplier no longer acts on it
        services.order_confirm(actor=first_user, order=order)


def test_another_supplier_cannot_act_on_the_order(officer, approver, items, subscription):
    order = sent(officer, approver, {items["paper"]: 1})
    intruder = person(SupplierFactory(), Role.SUPPLIER)
    for act in (services.order_confirm, lambda **kw: services.order_decline(reason="non", **kw)):
        with pytest.raises(PermissionDenied):
            act(actor=intruder, order=order)
    assert fresh(order).status == OrderStatus.SENT


def test_cancelling_is_refused_once_delivery_started(officer, approver, supplier_user, items, subscription):
    order = sent(officer, approver, {items["paper"]: 2})
    services.order_confirm(actor=supplier_user, order=order)
    services.order_deliver(actor=supplier_user, order=order, quantities={order.lines.get().pk: 1})
    with pytest.raises(DomainError) as refused:
        services.order_cancel(actor=officer, order=order, reason="Trop tard")
    assert refused.value.code == "not_cancellable"


def test_every_transition_is_audited_and_told(
    officer, approver, supplier_user, items, subscription, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = sent(officer, approver, {items["paper"]: 2})
        services.order_confirm(actor=supplier_user, order=order)

    actions = list(
        AuditEntry.objects.filter(object_id=str(order.pk), action__startswith="order.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["order.created", "order.submitted", "order.approved", "order.sent", "order.confirmed"]
    recipients = {message.subject: message.to for message in mail.outbox}
    assert recipients[f"Purchase order {order.number} is awaiting approval"] == [approver.email]
    assert recipients[f"Purchase order {order.number} is sent to the supplier"] == [supplier_user.email]
    assert officer.email in recipients[f"Purchase order {order.number} is confirmed by the supplier"]


# --- Subscriptions and off-platform call-offs ----------------------------------------------------


def test_a_subscription_is_for_a_beneficiary_once(officer, member, agreement, company):
    subscription = services.subscription_create(actor=officer, agreement=agreement, estimated_value="12000")
    assert (subscription.member, subscription.estimated_value) == (member, D("12000.00"))
    with pytest.raises(DomainError) as refused:
        services.subscription_create(actor=officer, agreement=agreement, estimated_value="1")
    assert refused.value.code == "already_subscribed"
    named = concluded_agreement(suppliers=[company], beneficiary_scope="named")
    with pytest.raises(DomainError) as refused:
        services.subscription_create(actor=officer, agreement=named, estimated_value="1")
    assert refused.value.code == "agreement_not_usable"


def test_consumption_beyond_the_estimate_is_a_warning_not_a_block(officer, approver, member, items, subscription):
    approved(officer, approver, {items["hour"]: 90})  # 5,850.00 of an estimate of 6,000.00
    assert selectors.estimate_warnings(member.pk, {subscription.agreement_id: D("0")}) == []
    [(warned, total)] = selectors.estimate_warnings(member.pk, {subscription.agreement_id: D("260.00")})
    assert (warned, total) == (subscription, D("6110.00"))
    approved(officer, approver, {items["hour"]: 4})  # still approved
    assert selectors.member_consumption(member.pk, [subscription.agreement_id]) == {
        subscription.agreement_id: D("6110.00")
    }


def test_off_platform_call_offs_consume_the_same_ceiling(
    buyer, member, company, agreement, officer, approver, items, subscription
):
    call_off = services.call_off_record(
        actor=buyer,
        agreement=agreement,
        member=member,
        supplier=company,
        reference="CMD-2026-118",
        ordered_on=agreement.start_date,
        amount_excl_vat="9000",
        source="supplier",
    )
    assert fresh(agreement).consumed_value == D("9000.00")
    order = placed(officer, {items["hour"]: 20})
    services.order_submit(actor=officer, order=order)
    with pytest.raises(DomainError) as refused:
        services.order_approve(actor=approver, order=order)
    assert refused.value.code == "ceiling_exceeded"

    services.call_off_cancel(actor=buyer, call_off=call_off, reason="Déclaré deux fois")
    services.order_approve(actor=approver, order=order)
    assert fresh(agreement).consumed_value == D("1300.00")
    with pytest.raises(PermissionDenied):
        services.call_off_record(
            actor=officer,
            agreement=agreement,
            member=member,
            supplier=company,
            reference="X",
            ordered_on=agreement.start_date,
            amount_excl_vat="1",
            source="member",
        )


def test_orders_are_never_deleted(officer, items, subscription):
    order = placed(officer, {items["paper"]: 1})
    with pytest.raises(ProtectedError):  # its lines (and approvals, deliveries) protect it
        order.delete()


def test_checkout_freezes_a_price_scheduled_for_today(officer, items, subscription):
    from django.utils import timezone

    from catalog.models import ItemPrice

    paper = items["paper"]
    ItemPrice.objects.create(item=paper, unit_price=D("3.5000"), effective_from=timezone.localdate(), applied=False)
    order = placed(officer, {paper: 10})  # the periodic task has not run yet: checkout applies the due price
    assert order.lines.get().unit_price == D("3.5000")
    assert order.total_excl_vat == D("35.00")
