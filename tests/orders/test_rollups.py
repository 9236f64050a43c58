"""Spend rollups kept by the ordering services: what counts, when, and that they equal the orders to the cent."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from procurement.orders import rollups, services
from procurement.orders.models import CpvSpendRollup, OrderLine, SpendRollup
from tests.factories.orders import approved, catalogue_line, placed, sent
from tests.factories.tenders import clock

pytestmark = pytest.mark.django_db
D = Decimal


def spend():
    return {
        (row.month, row.member_id, row.agreement_id, row.supplier_id): (
            row.orders,
            row.net,
            row.vat,
            row.gross,
            row.off_platform,
        )
        for row in SpendRollup.objects.all()
        if row.orders or row.net or row.off_platform
    }


def by_division():
    return {(row.cpv_division): row.net for row in CpvSpendRollup.objects.all() if row.net}


def test_an_order_counts_from_its_approval_in_its_month(
    officer, approver, member, items, subscription, agreement, company
):
    order = placed(officer, {items["paper"]: 7, items["book"]: 3, items["hour"]: "2.5"})
    services.order_submit(actor=officer, order=order)
    assert spend() == {}  # a submitted order counts for nothing yet

    moment = datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC)  # 1 April in Brussels
    with clock(moment):
        services.order_approve(actor=approver, order=order)

    key = (datetime.date(2026, 4, 1), member.pk, agreement.pk, company.pk)
    assert spend() == {key: (1, D("260.25"), D("43.41"), D("303.66"), D("0.00"))}
    # 30192000-1 (paper, book, hour lines all under it in these fixtures)
    assert by_division() == {"30": D("260.25")}
    assert rollups.differences() == []


def test_cancelling_closing_and_call_offs_move_the_rollups_as_the_ceiling(
    officer, approver, supplier_user, buyer, member, items, subscription, agreement, company
):
    laptop = catalogue_line(agreement, company, "LAP", "890.00", cpv_code_id="30213100-6")
    first = sent(officer, approver, {items["paper"]: 10, laptop: 1})  # 32.55 + 890.00
    cancelled = approved(officer, approver, {items["hour"]: 4})  # 260.00
    services.order_cancel(actor=officer, order=cancelled, reason="Plus nécessaire")
    services.order_confirm(actor=supplier_user, order=first)
    paper, _laptop = first.lines.order_by("position")
    services.order_deliver(actor=supplier_user, order=first, quantities={paper.pk: 4})
    services.order_close(actor=officer, order=first, reason="Le portable n'est plus disponible")
    call_off = services.call_off_record(
        actor=buyer,
        agreement=agreement,
        member=member,
        supplier=company,
        reference="CMD-7",
        ordered_on=agreement.start_date,
        amount_excl_vat="500",
        source="member",
    )

    [row] = [r for r in SpendRollup.objects.all() if r.orders]
    # closed: only what was delivered, 4 × 3.2549 = 13.02, VAT 2.73
    assert (row.orders, row.net, row.vat, row.gross) == (1, D("13.02"), D("2.73"), D("15.75"))
    assert SpendRollup.objects.aggregate(total=Sum("off_platform"))["total"] == D("500.00")
    agreement.refresh_from_db()
    rolled = SpendRollup.objects.filter(agreement=agreement).aggregate(n=Sum("net"), o=Sum("off_platform"))
    assert rolled["n"] + rolled["o"] == agreement.consumed_value == D("513.02")
    assert by_division() == {"30": D("13.02")}  # the laptop (302…) was never delivered

    services.call_off_cancel(actor=buyer, call_off=call_off, reason="Doublon")
    assert SpendRollup.objects.aggregate(total=Sum("off_platform"))["total"] == D("0.00")
    assert rollups.differences() == []
    call_command("rollups", "--check")


def test_the_check_finds_a_wrong_row_and_the_rebuild_repairs_it(officer, approver, items, subscription):
    approved(officer, approver, {items["paper"]: 10, items["book"]: 2})
    approved(officer, approver, {items["hour"]: 3})
    SpendRollup.objects.update(net=D("1.00"))

    with pytest.raises(CommandError, match="1 rollup rows differ"):
        call_command("rollups", "--check")
    call_command("rollups", "--rebuild")

    call_command("rollups", "--check")
    lines = OrderLine.objects.aggregate(total=Sum("amount_excl_vat"))["total"]
    assert SpendRollup.objects.aggregate(total=Sum("net"))["total"] == lines == D("277.53")


def test_by_cpv_division_lines_share_their_orders_vat_to_the_cent(
    officer, approver, member, items, subscription, agreement, company
):
    # given an order of two 2.50 € lines at 21 % in two CPV divisions: rounded line by line, their VAT
    # would be 0.53 + 0.53 = 1.06; the order's is rounded once: round(5.00 × 21 %) = 1.05
    toner = catalogue_line(agreement, company, "TON", "2.50", cpv_code_id="30192000-1")
    print_job = catalogue_line(agreement, company, "IMP", "2.50", cpv_code_id="22000000-0")

    # when it is approved
    order = approved(officer, approver, {toner: 1, print_job: 1})

    # then the first line takes round(2.50 × 21 %) = 0.53 and the second round(5.00 × 21 %) − 0.53 = 0.52,
    # each division counts the order once, and the divisions add up to the order
    rows = {row.cpv_division: (row.orders, row.net, row.vat) for row in CpvSpendRollup.objects.all()}
    assert rows == {"30": (1, D("2.50"), D("0.53")), "22": (1, D("2.50"), D("0.52"))}
    assert order.total_vat == D("1.05")
    assert rollups.differences() == []
