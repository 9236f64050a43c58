"""Which contracting processes are published, and their releases, a page at a time.

Processes are walked kind after kind (tenders, mini-competitions, orders, off-platform
call-offs), each kind in id order: a page is a cursor ``<kind>:<last id>``, so that paging
through a million call-offs costs the same on the last page as on the first, and a page's
objects come with everything their releases read in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import translation

from procurement.core.models import AuditEntry
from procurement.orders.models import Competition, OffPlatformCallOff, Order, OrderLine, OrderStatus
from reports import public
from reports.ocds import packages, releases
from reports.ocds.releases import Context, Kind, Stage
from tenders.models import Lot, Question, Tender, TenderStatus

CHUNK = 200


def _cancelled_at(model, action: str) -> Subquery:
    """When the audit log recorded the cancellation (the models keep no time stamp of it)."""
    return Subquery(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=Cast(OuterRef("pk"), CharField()),
            action=action,
        )
        .order_by("-at")
        .values("at")[:1]
    )


def _lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.only(
            "order_id", "position", "name", "unit", "quantity", "unit_price", "cpv_code"
        ).order_by("position"),
    )


def _agreement() -> tuple[str, ...]:
    return ("agreement", "agreement__tender", "agreement__lot")


def tender_queryset() -> QuerySet[Tender]:
    lots = Lot.objects.select_related("cpv_code", "agreement").prefetch_related(
        "items",
        public.current_suppliers("agreement__supplier_links"),
    )
    answered = Question.objects.filter(tender=OuterRef("pk")).exclude(answer="")
    return (
        public.tenders()
        .annotate(answered_questions=Exists(answered))
        .prefetch_related(
            Prefetch("lots", queryset=lots.order_by("number")),
            "criteria",
            public.public_documents(),
            public.tendered_bids(),
        )
    )


def order_queryset() -> QuerySet[Order]:
    return public.call_off_orders().select_related("member", "supplier", *_agreement()).prefetch_related(_lines())


def competition_queryset() -> QuerySet[Competition]:
    return (
        public.competitions()
        .annotate(cancelled_at=_cancelled_at(Competition, "competition.cancelled"))
        .select_related("member", "order", "order__supplier", *_agreement())
        .prefetch_related("lines", public.quoted(), Prefetch("order__lines", queryset=_lines().queryset))
    )


def call_off_queryset() -> QuerySet[OffPlatformCallOff]:
    return (
        public.off_platform_call_offs()
        .annotate(cancelled_at=_cancelled_at(OffPlatformCallOff, "call_off.cancelled"))
        .select_related("member", "supplier", *_agreement())
    )


def _tender_since(since: datetime.datetime) -> Q:
    return (
        Q(published_at__gte=since)
        | Q(opened_at__gte=since)
        | Q(awarded_at__gte=since)
        | Q(concluded_at__gte=since)
        | Q(status__in=[TenderStatus.CANCELLED, TenderStatus.UNSUCCESSFUL], status_changed_at__gte=since)
    )


def _order_since(since: datetime.datetime, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}sent_at__gte": since})
        | Q(**{f"{prefix}delivered_at__gte": since})
        | Q(**{f"{prefix}closed_at__gte": since})
        | Q(**{f"{prefix}status": OrderStatus.CANCELLED, f"{prefix}status_changed_at__gte": since})
    )


def _competition_since(since: datetime.datetime) -> Q:
    return (
        Q(published_at__gte=since)
        | Q(closed_at__gte=since)
        | Q(awarded_at__gte=since)
        | Q(cancelled_at__gte=since)
        | (Q(order__isnull=False) & _order_since(since, "order__"))
    )


@dataclass(frozen=True)
class Source:
    kind: str
    queryset: Callable[[], QuerySet]
    stages: Callable[[object], list[Stage]]
    release: Callable[[object, Stage, Context], dict]
    since: Callable[[datetime.datetime], Q]
    tender_field: str

    def filtered(self, *, since=None, tender: Tender | None = None) -> QuerySet:
        queryset = self.queryset()
        if since is not None:
            queryset = queryset.filter(self.since(since))
        if tender is not None:
            queryset = queryset.filter(**{self.tender_field: tender.pk})
        return queryset

    def releases(self, obj, context: Context, since=None) -> list[dict]:
        """The process's releases (from ``since``), written in the platform's language."""
        with translation.override(settings.LANGUAGE_CODE):
            return [
                self.release(obj, stage, context) for stage in self.stages(obj) if since is None or stage.date >= since
            ]

    def ocid(self, obj) -> str:
        return releases.ocid(self.kind, obj.pk)


SOURCES = {
    Kind.TENDER: Source(
        Kind.TENDER, tender_queryset, releases.tender_stages, releases.tender_release, _tender_since, "pk"
    ),
    Kind.COMPETITION: Source(
        Kind.COMPETITION,
        competition_queryset,
        releases.competition_stages,
        releases.competition_release,
        _competition_since,
        "agreement__tender",
    ),
    Kind.ORDER: Source(
        Kind.ORDER, order_queryset, releases.order_stages, releases.order_release, _order_since, "agreement__tender"
    ),
    Kind.CALL_OFF: Source(
        Kind.CALL_OFF,
        call_off_queryset,
        releases.call_off_stages,
        releases.call_off_release,
        lambda since: Q(recorded_at__gte=since) | Q(cancelled_at__gte=since),
        "agreement__tender",
    ),
}


def context() -> Context:
    return Context(imio=public.central_purchasing_body())


# --- Cursors ---------------------------------------------------------------------------------


def parse_cursor(value: str | None) -> tuple[int, int] | None:
    """``"order:1234"`` → (position of the kind, last id); ``None`` when absent or malformed."""
    if not value:
        return (0, 0)
    kind, _sep, pk = value.partition(":")
    if kind not in Kind.ALL or not pk.isdigit() or len(pk) > 18:
        return None
    return Kind.ALL.index(kind), int(pk)


@dataclass
class Page:
    processes: list[tuple[Source, object]]
    next_cursor: str | None


def page(*, size: int, cursor: tuple[int, int] = (0, 0), since=None, tender: Tender | None = None) -> Page:
    """Up to ``size`` processes after ``cursor``, and the cursor of the next page if any."""
    start, after = cursor
    found: list[tuple[Source, object]] = []
    for position in range(start, len(Kind.ALL)):
        source = SOURCES[Kind.ALL[position]]
        queryset = source.filtered(since=since, tender=tender).order_by("pk")
        if position == start and after:
            queryset = queryset.filter(pk__gt=after)
        wanted = size - len(found)
        batch = list(queryset[: wanted + 1])
        found.extend((source, obj) for obj in batch[:wanted])
        if len(batch) > wanted:
            last_source, last = found[-1]
            return Page(found, f"{last_source.kind}:{last.pk}")
    return Page(found, None)


def page_releases(processes: list[tuple[Source, object]], since=None) -> list[dict]:
    shared = context()
    return [release for source, obj in processes for release in source.releases(obj, shared, since)]


def stream(*, since=None, tender: Tender | None = None, chunk: int = CHUNK) -> Iterator[dict]:
    """Every release, a chunk of processes at a time (constant memory however many there are)."""
    shared = context()
    for kind in Kind.ALL:
        source = SOURCES[kind]
        after = 0
        while True:
            batch = list(source.filtered(since=since, tender=tender).filter(pk__gt=after).order_by("pk")[:chunk])
            for obj in batch:
                yield from source.releases(obj, shared, since)
            if len(batch) < chunk:
                break
            after = batch[-1].pk


def find(ocid: str) -> tuple[Source, object] | None:
    parsed = releases.parse_ocid(ocid)
    if parsed is None:
        return None
    kind, pk = parsed
    source = SOURCES[kind]
    obj = source.queryset().filter(pk=pk).first()
    return (source, obj) if obj is not None else None


def record_package(chosen: list[tuple[Source, object]], *, uri: str, next_url: str | None = None) -> dict:
    """A record per process: all its releases and the compiled release."""
    shared = context()
    records = [packages.record(source.ocid(obj), source.releases(obj, shared)) for source, obj in chosen]
    return packages.record_package(records, uri=uri, next_url=next_url)
