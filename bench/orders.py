"""Approvals under concurrency on PostgreSQL: approvers racing for the last euros of an agreement.

    DATABASE_URL=postgres://… python bench/orders.py [--orders 400] [--clients 16] [--keep]

Sets up its own data: a member with an active membership, its purchasing officer and 16
approvers (tagged ``BENCH-``/``bench-``, kept and reused by the next run), and for this run
an agreement whose maximum is two thirds of what the orders ask, a subscription, one
catalogue line, and the orders — checked out and submitted through the services. Then 16
clients (threads, each with its own connection) approve them through
``services.order_approve`` until none is left; the ceiling refuses what does not fit.

Baseline (same run): the same amounts consumed by bare guarded ``UPDATE``s from 16 threads on
a second agreement with the same maximum — the least database work a guarded consumption needs.

Prints one table like ``bench/catalog.py``, and fails (exit 1) if the agreement is overspent or
its consumption does not equal the sum of the approved orders. The run's agreements, orders
and everything under them (audit entries included) are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/: this is not the app

from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone

from bench import generate
from bench.catalog import Figure, remove_agreement, table
from catalog import search
from catalog.models import CatalogItem, ItemPrice
from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.money import line_amount, quantize
from procurement.core.permissions import Role
from procurement.members.demo import demo_enterprise_number
from procurement.members.models import Membership, MembershipStatus, Organization, OrganizationKind, User
from procurement.members.services import organizations, people
from procurement.orders import services
from procurement.orders.models import Cart, Order, OrderApproval, OrderCounter, OrderLine, OrderStatus, Subscription
from tenders.models import FrameworkAgreement, Lot

ORDERS = 400
CLIENTS = 16
ASKED = Decimal("1.5")  # what the orders ask, in maxima of the agreement
UNIT_PRICE = Decimal("3.1490")  # a ream of recycled A4 paper
MEMBER_NUMBER = demo_enterprise_number(generate.ENTERPRISE_SEED + 50_000)  # away from the generator's
OFFICER = "bench-orders-officer"
DELIVERY = {
    "budget_article": "104/123-02",
    "delivery_address": "BENCH-Commune de commande\nService Économat\nRue de Fer 1\n5000 Namur",
    "contact_name": "Bench Officer",
}


# --- Data ------------------------------------------------------------------------------------------


def member_and_people(clients: int) -> tuple[Organization, User, list[User]]:
    """The ordering member (active membership), its officer and ``clients`` approvers; kept between runs."""
    member = Organization.objects.filter(enterprise_number=MEMBER_NUMBER).first()
    if member is None:
        member = organizations.organization_create(
            actor=None,
            kind=OrganizationKind.OTHER_PUBLIC,
            name=f"{generate.PREFIX}Commune de commande",
            enterprise_number=MEMBER_NUMBER,
            city="Namur",
        )
    if not Membership.objects.filter(member=member, status=MembershipStatus.ACTIVE).exists():
        # Written directly, as the generator writes its agreements: the membership's procedure is not measured.
        Membership.objects.create(
            member=member,
            status=MembershipStatus.ACTIVE,
            decision_date=timezone.localdate(),
            decision_reference="BENCH-CC-001",
            document="bench/convention.pdf",
            document_sha256="0" * 64,
            activated_at=timezone.now(),
        )

    def person(username: str, role: str) -> User:
        return User.objects.filter(username=username).first() or people.user_create(
            actor=None, organization=member, username=username, email=f"{username}@bench.example", roles=[role]
        )

    officer = person(OFFICER, Role.MEMBER_OFFICER)
    approvers = [person(f"bench-approver-{number:02d}", Role.MEMBER_APPROVER) for number in range(1, clients + 1)]
    return member, officer, approvers


def quantities(count: int, rng: random.Random) -> list[int]:
    """Between 300 and 1,500 reams, 900 on average exactly (pairs balance each other)."""
    result = []
    for _pair in range(count // 2):
        spread = rng.randint(-600, 600)
        result += [900 + spread, 900 - spread]
    return result + [900] * (count % 2)


def agreement_with_maximum(label: str, supplier: Organization, maximum: Decimal) -> FrameworkAgreement:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    agreement = generate.create_agreement(
        f"{generate.PREFIX}ORD-{stamp}-{label}",
        generate.THEME_BY_TITLE["Papier et enveloppes"],
        [supplier],
        start=timezone.localdate(),
    )
    values = {"maximum_value": maximum, "estimated_value": quantize(maximum * Decimal("0.8"))}
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(**values)
    Lot.objects.filter(pk=agreement.lot_id).update(**values)
    agreement.refresh_from_db()
    return agreement


def catalogue_line(agreement: FrameworkAgreement, supplier: Organization) -> CatalogItem:
    """One line with its first price, written directly as an applied import leaves it."""
    item = CatalogItem(
        agreement=agreement,
        supplier=supplier,
        supplier_reference="BENCH-PAP-A4-80-REC",
        name_fr="Ramette de papier A4 80 g recyclé, 500 feuilles",
        unit="C62",
        unit_price=UNIT_PRICE,
        vat_rate=Decimal("21"),
        price_effective_from=agreement.start_date,
        cpv_code_id="30197630-1",
    )
    search.fill(item)
    item.save()
    ItemPrice.objects.create(
        item=item, unit_price=item.unit_price, effective_from=item.price_effective_from, applied=True
    )
    return item


def submitted_orders(officer: User, item: CatalogItem, amounts_of: list[int]) -> list[Order]:
    """Cart, checkout and submission of one order per quantity, through the services."""
    orders = []
    for number, quantity in enumerate(amounts_of, start=1):
        services.cart_add(actor=officer, item=item, quantity=quantity)
        [order] = services.cart_checkout(actor=officer, **DELIVERY)
        orders.append(services.order_submit(actor=officer, order=order))
        print(f"  {number} / {len(amounts_of)} orders submitted", end="\r", flush=True)
    print()
    return orders


def remove_run(member: Organization, agreements: list[FrameworkAgreement]) -> None:
    """The run's orders, subscription, cart and agreements, and their audit entries."""
    from django.contrib.contenttypes.models import ContentType  # after django.setup(), which bench does

    order_ids = list(Order.objects.filter(agreement__in=agreements).values_list("pk", flat=True))
    with transaction.atomic():
        types = ContentType.objects.get_for_models(Order, Subscription, Cart, FrameworkAgreement)
        audited = {
            Order: [str(pk) for pk in order_ids],
            Subscription: [
                str(pk) for pk in Subscription.objects.filter(agreement__in=agreements).values_list("pk", flat=True)
            ],
            Cart: [str(pk) for pk in Cart.objects.filter(organization=member).values_list("pk", flat=True)],
            FrameworkAgreement: [str(agreement.pk) for agreement in agreements],
        }
        for model, ids in audited.items():
            AuditEntry.objects.filter(content_type=types[model], object_id__in=ids).delete()
        OrderApproval.objects.filter(order_id__in=order_ids).delete()
        OrderLine.objects.filter(order_id__in=order_ids).delete()
        Order.objects.filter(pk__in=order_ids).delete()
        OrderCounter.objects.filter(member=member).delete()  # the member's numbers start again at 1
        Subscription.objects.filter(agreement__in=agreements).delete()
        Cart.objects.filter(organization=member).delete()
    for agreement in agreements:
        remove_agreement(agreement)


# --- The race --------------------------------------------------------------------------------------


@dataclass
class Race:
    seconds: float
    latencies_ms: list[float]
    outcomes: Counter


def race(clients: int, jobs: list, work: Callable[[int, object], str]) -> Race:
    """``clients`` threads take the jobs in turn; each its own connection, opened before the start."""
    queue = deque(jobs)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    latencies: list[float] = []
    outcomes: Counter = Counter()

    def client(index: int) -> None:
        try:
            connection.ensure_connection()
            start.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.popleft()
                began = time.perf_counter()
                try:
                    outcome = work(index, job)
                except DomainError as error:
                    outcome = error.code
                except Exception as error:  # counted and reported: a deadlock or a lock timeout is a finding
                    outcome = f"error: {type(error).__name__}: {error}"[:120]
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(elapsed)
                    outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Race(time.perf_counter() - began, latencies, outcomes)


def approvals(orders: list[Order], approvers: list[User]) -> Race:
    for approver in approvers:
        approver.acting  # noqa: B018 — computed once, as a request's middleware would, outside the timing

    def approve(index: int, order: Order) -> str:
        services.order_approve(actor=approvers[index], order=order, decision_reference="Collège du bench")
        return "approved"

    return race(len(approvers), orders, approve)


def bare_updates(agreement: FrameworkAgreement, amounts: list[Decimal], clients: int) -> tuple[Race, list[Decimal]]:
    """The guarded consumption alone; also the amounts it refused."""
    table_name = FrameworkAgreement._meta.db_table
    statement = (
        f"UPDATE {table_name} SET consumed_value = consumed_value + %s "  # noqa: S608
        "WHERE id = %s AND consumed_value + %s <= maximum_value"
    )
    refused_amounts: list[Decimal] = []

    def consume(_index: int, amount: Decimal) -> str:
        with connection.cursor() as cursor:  # autocommit: one transaction per statement
            cursor.execute(statement, [amount, agreement.pk, amount])
            if cursor.rowcount == 1:
                return "approved"
        refused_amounts.append(amount)
        return "ceiling_exceeded"

    return race(clients, amounts, consume), refused_amounts


# --- Figures -----------------------------------------------------------------------------------------


def p50_p95(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=100, method="inclusive")[94]


def refused(outcomes: Counter) -> int:
    return sum(count for outcome, count in outcomes.items() if outcome != "approved")


def ceiling_check(agreement: FrameworkAgreement, orders_sum: Decimal, refused_amounts: list[Decimal]) -> list[str]:
    """What must hold after the race; each broken rule is one line."""
    agreement.refresh_from_db()
    problems = []
    overspend = max(agreement.consumed_value - agreement.maximum_value, Decimal("0.00"))
    if overspend:
        problems.append(f"overspend of {overspend} € on {agreement.reference}")
    if agreement.consumed_value != orders_sum:
        problems.append(f"{agreement.reference}: consumed {agreement.consumed_value} € ≠ {orders_sum} € approved")
    fitting = [amount for amount in refused_amounts if amount <= agreement.remaining_value]
    if fitting:
        problems.append(f"{len(fitting)} refused though they fit in what remains ({agreement.remaining_value} €)")
    return problems


def refused_project_amounts(project: FrameworkAgreement) -> list[Decimal]:
    return list(
        Order.objects.filter(agreement=project, status=OrderStatus.SUBMITTED).values_list("total_excl_vat", flat=True)
    )


def errors_of(race_run: Race) -> list[str]:
    return [f"{count} × {outcome}" for outcome, count in race_run.outcomes.items() if outcome.startswith("error")]


def project_problems(project: FrameworkAgreement, ours: Race) -> list[str]:
    """The approved orders hold their totals, which add up to the agreement's consumption, within its maximum."""
    approved = Order.objects.filter(agreement=project, status=OrderStatus.APPROVED)
    sums = approved.aggregate(total=Sum("total_excl_vat"), held=Sum("consumed"))
    approved_sum, held = sums["total"] or Decimal("0.00"), sums["held"] or Decimal("0.00")
    problems = errors_of(ours)
    if held != approved_sum:
        problems.append(f"the approved orders hold {held} € but total {approved_sum} €")
    if approved.count() != ours.outcomes["approved"]:
        problems.append(f"{approved.count()} orders approved, {ours.outcomes['approved']} approvals answered")
    return problems + ceiling_check(project, approved_sum, refused_project_amounts(project))


def baseline_problems(baseline: FrameworkAgreement, bare: Race, amounts, refused_amounts) -> list[str]:
    accepted = sum(amounts, Decimal("0.00")) - sum(refused_amounts, Decimal("0.00"))
    return errors_of(bare) + ceiling_check(baseline, accepted, refused_amounts)


def figures_of(ours: Race, bare: Race, project, baseline, options, problems: list[str]) -> list[Figure]:
    n = len(ours.latencies_ms)
    p50, p95 = p50_p95(ours.latencies_ms)
    b50, b95 = p50_p95(bare.latencies_ms)
    overspend = max(project.consumed_value - project.maximum_value, Decimal("0.00"))
    base_overspend = max(baseline.consumed_value - baseline.maximum_value, Decimal("0.00"))
    return [
        Figure(
            f"{n} approvals by {options.clients} clients: wall time, s",
            f"{ours.seconds:.2f}",
            f"{bare.seconds:.2f}",
            ours.seconds / bare.seconds,
        ),
        Figure("    throughput, approvals/s", f"{n / ours.seconds:.0f}", f"{n / bare.seconds:.0f}"),
        Figure(
            "    latency of one approval p50 / p95, ms", f"{p50:.1f} / {p95:.1f}", f"{b50:.1f} / {b95:.1f}", p95 / b95
        ),
        Figure(
            "    approved / refused (ceiling)",
            f"{ours.outcomes['approved']} / {refused(ours.outcomes)}",
            f"{bare.outcomes['approved']} / {refused(bare.outcomes)}",
        ),
        Figure(
            "consumed = Σ approved orders' totals ≤ maximum",
            f"{project.consumed_value:,} of {project.maximum_value:,} €: overspend {overspend} €",
            f"{baseline.consumed_value:,} €: overspend {base_overspend} €",
            target="overspend 0.00 €, sums equal",
            met=not problems,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="leave the run's agreements and orders in the database")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The approval benchmark measures PostgreSQL (row locks under real concurrency): "
            "set DATABASE_URL=postgres://… to a database of its own and run manage.py migrate first."
        )
    started = time.perf_counter()
    generate.central_purchasing_body()
    supplier = generate.suppliers(1)[0][0]
    member, officer, approvers = member_and_people(options.clients)
    reams = quantities(options.orders, random.Random(options.seed))
    asked = sum((line_amount(Decimal(quantity), UNIT_PRICE) for quantity in reams), Decimal("0.00"))
    maximum = quantize(asked / ASKED)
    project = agreement_with_maximum("P", supplier, maximum)
    baseline = agreement_with_maximum("B", supplier, maximum)
    problems: list[str] = []  # what breaks the checks; any fails the run
    # E-mails are rendered as in production, and dropped instead of being sent.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        try:
            print(
                f"Approval benchmark in {connection.settings_dict['NAME']}, {datetime.datetime.now():%Y-%m-%d %H:%M}: "  # noqa: DTZ005
                f"{options.orders} orders asking {asked:,} € of a {maximum:,} € maximum, {options.clients} clients; "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}."
            )
            services.subscription_create(actor=officer, agreement=project, estimated_value=maximum)
            item = catalogue_line(project, supplier)
            setup = time.perf_counter()
            orders = submitted_orders(officer, item, reams)
            print(
                f"Set-up: {time.perf_counter() - setup:.0f} s for {len(orders)} orders submitted through the services."
            )
            amounts = [order.total_excl_vat for order in orders]
            bare, bare_refused = bare_updates(baseline, amounts, options.clients)
            ours = approvals(orders, approvers)

            problems = project_problems(project, ours) + baseline_problems(baseline, bare, amounts, bare_refused)
            figures = figures_of(ours, bare, project, baseline, options, problems)
            print()
            print(table(figures))
            print()
            print(
                f"Refusals: {dict(ours.outcomes - Counter(approved=ours.outcomes['approved']))} (project), "
                f"{refused(bare.outcomes)} (baseline). Remaining on the agreement: {project.remaining_value:,} € "
                f"(the smallest refused order asks {min(refused_project_amounts(project), default=0):,} €)."
            )
        finally:
            if not options.keep:
                remove_run(member, [project, baseline])
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
