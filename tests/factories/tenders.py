"""Tenders built through the services, at any step of the procedure.

``TenderJourney`` walks a tender from draft to conclusion, moving the clock with
``freezegun``-free time travel: deadlines are set relative to "now" and the services read
``timezone.now()``, which the tests move with ``clock``.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.core.files.base import ContentFile
from django.utils import timezone

from procurement.core.models import CpvCode
from tenders import services
from tenders.models import Tender
from tests.factories.members import PDF_BYTES

OFFICE_SUPPLIES = "30192000-1"
COMPUTERS = "30213000-5"


def cpv(code: str = OFFICE_SUPPLIES) -> CpvCode:
    return CpvCode.objects.get(pk=code)


def lot_data(number=1, *, estimated="100000.00", maximum="150000.00", mode="single", max_suppliers=1, **extra):
    return {
        "number": number,
        "title": extra.pop("title", f"Lot {number}"),
        "estimated_value": Decimal(estimated),
        "maximum_value": Decimal(maximum),
        "duration_months": extra.pop("duration_months", 48),
        "supplier_mode": mode,
        "max_suppliers": max_suppliers,
        **extra,
    }


def criteria_data(price=60, quality=40):
    criteria = [{"name": "Prix", "kind": "price", "weight": Decimal(price)}]
    if quality:
        criteria.append({"name": "Qualité technique", "kind": "quality", "weight": Decimal(quality)})
    return criteria


def specifications() -> ContentFile:
    return ContentFile(PDF_BYTES, name="cahier-special-des-charges.pdf")


_counter = iter(range(1, 100000))


def draft_tender(buyer, *, lots=None, criteria=None, **fields) -> Tender:
    now = timezone.now()
    values = {
        "reference": f"IMIO-2026-{next(_counter):03d}",
        "title": "Fournitures de bureau",
        "contract_type": "supplies",
        "procedure": "open",
        "cpv_code": cpv(),
        "questions_deadline": now + datetime.timedelta(days=10),
        "submission_deadline": now + datetime.timedelta(days=20),
        "opening_at": now + datetime.timedelta(days=20, hours=1),
        **fields,
    }
    tender = services.tender_create(
        actor=buyer,
        lots=lots if lots is not None else [lot_data(1)],
        criteria=criteria if criteria is not None else criteria_data(),
        **values,
    )
    services.tender_add_document(actor=buyer, tender=tender, file=specifications(), title="CSC")
    return tender


def published_tender(buyer, **kwargs) -> Tender:
    tender = draft_tender(buyer, **kwargs)
    return services.tender_publish(actor=buyer, tender=tender)


@contextmanager
def clock(moment: datetime.datetime):
    """Move "now" for the services (timezone.now and localdate read it)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def after(tender: Tender, field: str, **delta) -> datetime.datetime:
    tender.refresh_from_db()
    return getattr(tender, field) + datetime.timedelta(**({"minutes": 1} | delta))


def concluded_agreement(*, suppliers, maximum="200000.00", estimated="150000.00", reference=None, **fields):
    """Raw material: a concluded tender and its agreement, written directly (no PDFs, no e-mails).

    For tests about reading agreements; the journey through the services is tested elsewhere.
    """
    from procurement.members.models import Organization  # noqa: F401
    from tenders.models import AgreementSupplier, FrameworkAgreement, Lot

    reference = reference or f"IMIO-2025-{next(_counter):03d}"
    now = timezone.now()
    tender = Tender.objects.create(
        reference=reference,
        title="Fournitures de bureau",
        contract_type="supplies",
        cpv_code=cpv(),
        status="concluded",
        published_at=now,
        opened_at=now,
        concluded_at=now,
    )
    lot = Lot.objects.create(
        tender=tender,
        number=1,
        title="Papier",
        estimated_value=Decimal(estimated),
        maximum_value=Decimal(maximum),
        status="awarded",
        supplier_mode="single" if len(suppliers) <= 1 else "cascade",
        max_suppliers=max(len(suppliers), 1),
    )
    start = fields.pop("start_date", timezone.localdate())
    agreement = FrameworkAgreement.objects.create(
        reference=f"{reference}-L1",
        tender=tender,
        lot=lot,
        title=tender.title,
        supplier_mode=lot.supplier_mode,
        start_date=start,
        end_date=fields.pop("end_date", start.replace(year=start.year + 4) - datetime.timedelta(days=1)),
        estimated_value=Decimal(estimated),
        maximum_value=Decimal(maximum),
        beneficiary_scope=fields.pop("beneficiary_scope", "all_members"),
        **fields,
    )
    for rank, supplier in enumerate(suppliers, start=1):
        AgreementSupplier.objects.create(agreement=agreement, supplier=supplier, rank=rank, since=start)
    return agreement
