"""Catalogue writes: price-list imports (dry run, apply, proposal, approval), price revisions,
scheduled prices. One audit entry per import or revision, never one per line."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import search
from catalog.models import (
    CatalogItem,
    ImportMode,
    ImportStatus,
    ItemPrice,
    PriceListImport,
    PriceRevision,
    PriceRevisionKind,
)
from catalog.price_lists import PACKED_FORMAT, PriceList, PriceListRow, UnreadableFile, pack, read_price_list, unpack
from procurement.core import audit, facts
from procurement.core.errors import DomainError
from procurement.core.models import CpvCode
from procurement.core.permissions import Perm
from procurement.members.models import Organization
from tenders.models import AgreementStatus, FrameworkAgreement

ERRORS_KEPT = 1000
CHANGES_KEPT = 200
BATCH = 2000
PARSE_KEPT_SECONDS = 3600  # a dry run applied later than this reads its file again
UNIT_PRICE = Decimal("0.0001")
DESCRIPTIVE_FIELDS = (
    "name_fr",
    "name_nl",
    "name_de",
    "name_en",
    "description_fr",
    "description_nl",
    "description_de",
    "description_en",
    "unit",
    "vat_rate",
    "cpv_code_id",
    "min_quantity",
    "lead_time_days",
    "active",
)
OPEN_AGREEMENT = (AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED)


# --- Who may act -----------------------------------------------------------------------------


def _is_buyer(actor) -> bool:
    return actor is None or (actor.acting.platform_wide and actor.acting.has(Perm.CATALOG_MANAGE))


def _check_may_import(actor, agreement: FrameworkAgreement, supplier: Organization) -> None:
    if _is_buyer(actor):
        return
    acting = actor.acting
    if (
        acting.has(Perm.CATALOG_PROPOSE)
        and acting.organization_id == supplier.pk
        and agreement.supplier_links.filter(supplier=supplier, active=True).exists()
    ):
        return
    raise PermissionDenied(_("Only the central purchasing body or the agreement's supplier uploads its price list."))


def _check_buyer(actor) -> None:
    if not _is_buyer(actor):
        raise PermissionDenied(_("Only the central purchasing body's buyers can do this."))


def cpv_index() -> dict[str, str]:
    """8 digits → the CPV code with its check digit, for reading files (cached per process)."""
    index = cache.get("catalog:cpv-index")
    if index is None:
        index = {code[:8]: code for code in CpvCode.objects.values_list("code", flat=True)}
        cache.set("catalog:cpv-index", index, 3600)
    return index


# --- Progress (read by the page while a big import runs) -------------------------------------


def set_progress(price_import: PriceListImport, done: int, total: int) -> None:
    cache.set(f"catalog:import-progress:{price_import.pk}", (done, total), 3600)


def progress(price_import: PriceListImport) -> tuple[int, int]:
    return cache.get(f"catalog:import-progress:{price_import.pk}") or (
        price_import.progress_done,
        price_import.progress_total,
    )


# --- The difference between a file and the catalogue ----------------------------------------


@dataclass
class Plan:
    to_add: list[PriceListRow] = field(default_factory=list)
    to_change: list[tuple[CatalogItem, PriceListRow, bool]] = field(default_factory=list)  # (item, row, price changed)
    to_withdraw: list[CatalogItem] = field(default_factory=list)
    unchanged: int = 0

    def sample(self) -> list[dict]:
        return [
            {
                "reference": item.supplier_reference,
                "old_price": str(item.latest_price),
                "new_price": str(row.unit_price),
                "price_changed": price_changed,
            }
            for item, row, price_changed in self.to_change[:CHANGES_KEPT]
        ]


def _current_items(agreement: FrameworkAgreement, supplier: Organization) -> dict[str, CatalogItem]:
    items = {
        item.supplier_reference: item
        for item in CatalogItem.objects.filter(agreement=agreement, supplier=supplier).order_by()
    }
    scheduled = dict(
        ItemPrice.objects.filter(item__agreement=agreement, item__supplier=supplier, applied=False)
        .order_by("item_id", "-effective_from", "-id")
        .values_list("item_id", "unit_price")
    )
    for item in items.values():
        # The price a new list is compared with: the latest known, scheduled or current.
        item.latest_price = scheduled.get(item.pk, item.unit_price)
    return items


def plan(price_list: PriceList, items: dict[str, CatalogItem], mode: str) -> Plan:
    result = Plan()
    listed = set()
    for row in price_list.rows:
        listed.add(row.supplier_reference)
        item = items.get(row.supplier_reference)
        if item is None:
            result.to_add.append(row)
            continue
        price_changed = row.unit_price != item.latest_price or row.list_price != item.list_price
        values = _row_values(row)
        described_changed = any(getattr(item, name) != values[name] for name in DESCRIPTIVE_FIELDS)
        if price_changed or described_changed:
            result.to_change.append((item, row, price_changed))
        else:
            result.unchanged += 1
    if mode == ImportMode.REPLACE:
        result.to_withdraw = [item for ref, item in items.items() if ref not in listed and item.active]
    return result


def _row_values(row: PriceListRow) -> dict:
    return {
        "name_fr": row.name_fr,
        "name_nl": row.name_nl,
        "name_de": row.name_de,
        "name_en": row.name_en,
        "description_fr": row.description_fr,
        "description_nl": row.description_nl,
        "description_de": row.description_de,
        "description_en": row.description_en,
        "unit": row.unit,
        "vat_rate": row.vat_rate,
        "cpv_code_id": row.cpv_code,
        "min_quantity": row.min_quantity,
        "lead_time_days": row.lead_time_days,
        "active": row.active,
    }


# --- Upload and dry run ----------------------------------------------------------------------


def _read(price_import: PriceListImport) -> PriceList:
    price_import.file.open("rb")
    try:
        data = price_import.file.read()
    finally:
        price_import.file.close()
    return read_price_list(data, price_import.file_name, cpv_codes=cpv_index())


def _parse_key(price_import: PriceListImport) -> str:
    # The VAT rates decide which rows are valid: a change of rates (a deploy) makes a kept parse stale.
    rates = ",".join(f"{rate:f}" for rate in facts.vat_rates())
    return f"catalog:import-parse:{PACKED_FORMAT}:{price_import.pk}:{price_import.sha256}:{rates}"


def _keep_parse(price_import: PriceListImport, price_list: PriceList) -> None:
    cache.set(_parse_key(price_import), pack(price_list), PARSE_KEPT_SECONDS)


def _parsed(price_import: PriceListImport) -> PriceList:
    """The dry run's reading of the file while the cache keeps it, else the file read again.

    Reading a large XLSX is most of a dry run's time. The cache may have dropped the entry
    (expired, evicted, or a worker with its own memory): the file is then simply read again.
    """
    price_list = unpack(cache.get(_parse_key(price_import)))
    return price_list if price_list is not None else _read(price_import)


def import_upload(
    *,
    actor,
    agreement: FrameworkAgreement,
    file: File,
    mode: str = ImportMode.DELTA,
    supplier: Organization | None = None,
    effective_date: datetime.date | None = None,
    reason: str = "",
) -> PriceListImport:
    """Upload a price list and read it (the dry run): nothing changes in the catalogue yet."""
    if supplier is None:
        links = list(agreement.supplier_links.filter(active=True).select_related("supplier"))
        if actor is not None and not actor.acting.platform_wide:
            supplier = actor.acting.organization
        elif len(links) == 1:
            supplier = links[0].supplier
        else:
            raise ValidationError({"supplier": _("Choose the supplier whose price list this is.")})
    _check_may_import(actor, agreement, supplier)
    if agreement.status not in OPEN_AGREEMENT:
        raise DomainError(_("This agreement has ended: its catalogue can no longer change."), code="agreement_ended")
    if not agreement.supplier_links.filter(supplier=supplier, active=True).exists():
        raise ValidationError(
            {"supplier": _("%(supplier)s is not a supplier of this agreement.") % {"supplier": supplier}}
        )
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Choose whether the file replaces the list or changes some lines.")})
    size = file.size or 0
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s MB; at most %(max)s MB).")
                % {"size": round(size / 1024 / 1024, 1), "max": limit // 1024 // 1024}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    today = timezone.localdate()
    effective_date = effective_date or today
    if effective_date < today:
        raise ValidationError({"effective_date": _("Prices cannot take effect in the past.")})
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    name = (getattr(file, "name", None) or "price-list").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        price_import = PriceListImport(
            agreement=agreement,
            supplier=supplier,
            mode=mode,
            file_name=name,
            sha256=digest.hexdigest(),
            size=size,
            effective_date=effective_date,
            reason=reason.strip(),
            proposal=not _is_buyer(actor),
            uploaded_by=actor,
        )
        price_import.file.save(name, file, save=False)
        price_import.save()
    if size > settings.CATALOG_BACKGROUND_BYTES:
        from catalog.tasks import analyse_import

        transaction.on_commit(lambda: analyse_import.delay(price_import.pk))
        return price_import
    return import_analyse(price_import)


def import_analyse(price_import: PriceListImport) -> PriceListImport:
    """The dry run: read every row, compare with the catalogue, keep the counts and the errors."""
    set_progress(price_import, 0, 1)
    try:
        price_list = _read(price_import)
    except UnreadableFile as error:
        PriceListImport.objects.filter(pk=price_import.pk).update(
            status=ImportStatus.FAILED,
            errors=[{"row": None, "column": None, "reason": str(error)}],
            errors_count=1,
        )
        price_import.refresh_from_db()
        return price_import
    _keep_parse(price_import, price_list)
    result = plan(price_list, _current_items(price_import.agreement, price_import.supplier), price_import.mode)
    changes = {
        "status": ImportStatus.PREVIEWED,
        "sheet": price_list.sheet[:100],
        "rows_total": price_list.rows_total,
        "rows_ok": len(price_list.rows),
        "to_add": len(result.to_add),
        "to_change": len(result.to_change),
        "to_withdraw": len(result.to_withdraw),
        "unchanged": result.unchanged,
        "errors": [error.as_dict() for error in price_list.errors[:ERRORS_KEPT]],
        "errors_count": len(price_list.errors),
        "changes": result.sample(),
        "progress_done": price_list.rows_total,
        "progress_total": price_list.rows_total,
    }
    PriceListImport.objects.filter(pk=price_import.pk).update(**changes)
    set_progress(price_import, price_list.rows_total, price_list.rows_total)
    price_import.refresh_from_db()
    return price_import


# --- Apply, propose, approve -----------------------------------------------------------------


def import_apply(*, actor, price_import: PriceListImport, valid_rows_only: bool = False) -> PriceListImport:
    """Apply the dry run: all or nothing, or the valid rows only (a buyer's choice).

    The supplier's own upload becomes a proposal: nothing changes until a buyer approves it.
    """
    _check_may_import(actor, price_import.agreement, price_import.supplier)
    with transaction.atomic():
        price_import = PriceListImport.objects.select_for_update().get(pk=price_import.pk)
        if price_import.status != ImportStatus.PREVIEWED:
            raise DomainError(
                _("This import is %(status)s: it cannot be applied.") % {"status": price_import.get_status_display()},
                code="import_not_ready",
            )
        if valid_rows_only and not _is_buyer(actor):
            raise PermissionDenied(_("Only a buyer may apply the valid rows of a file with errors."))
        if price_import.errors_count and not valid_rows_only:
            raise DomainError(
                ngettext(
                    "%(count)s row has an error: nothing was changed. Correct the file, or apply the valid rows only.",
                    "%(count)s rows have errors: nothing was changed. Correct the file, or apply the valid rows only.",
                    price_import.errors_count,
                )
                % {"count": price_import.errors_count},
                code="import_has_errors",
            )
        price_import.valid_rows_only = valid_rows_only
        if not _is_buyer(actor):
            price_import.status = ImportStatus.PROPOSED
            price_import.save(update_fields=["status", "valid_rows_only"])
            audit.record(
                actor=actor,
                action="catalog.import_proposed",
                target=price_import.agreement,
                data=_import_summary(price_import),
                organizations=[price_import.supplier_id],
            )
            return price_import
        price_import.status = ImportStatus.APPLYING
        price_import.decided_by = actor
        price_import.save(update_fields=["status", "valid_rows_only", "decided_by"])
    return _apply_now_or_later(price_import, actor)


def import_approve(*, actor, price_import: PriceListImport) -> PriceListImport:
    """A buyer approves a supplier's proposal: its prices are applied (under the revision clause)."""
    _check_buyer(actor)
    with transaction.atomic():
        price_import = PriceListImport.objects.select_for_update().get(pk=price_import.pk)
        if price_import.status != ImportStatus.PROPOSED:
            raise DomainError(_("Only a proposal awaiting approval can be approved."), code="not_a_proposal")
        price_import.status = ImportStatus.APPLYING
        price_import.decided_by = actor
        price_import.save(update_fields=["status", "decided_by"])
    return _apply_now_or_later(price_import, actor)


def import_reject(*, actor, price_import: PriceListImport, reason: str) -> PriceListImport:
    _check_buyer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; the supplier will read it.")})
    with transaction.atomic():
        price_import = PriceListImport.objects.select_for_update().get(pk=price_import.pk)
        if price_import.status != ImportStatus.PROPOSED:
            raise DomainError(_("Only a proposal awaiting approval can be rejected."), code="not_a_proposal")
        price_import.status, price_import.status_reason, price_import.decided_by = ImportStatus.REJECTED, reason, actor
        price_import.save(update_fields=["status", "status_reason", "decided_by"])
        cache.delete(_parse_key(price_import))
        audit.record(
            actor=actor,
            action="catalog.import_rejected",
            target=price_import.agreement,
            data={**_import_summary(price_import), "reason": reason},
            organizations=[price_import.supplier_id],
        )
    return price_import


def _apply_now_or_later(price_import: PriceListImport, actor) -> PriceListImport:
    if price_import.rows_total > settings.CATALOG_BACKGROUND_ROWS:
        from catalog.tasks import apply_import

        transaction.on_commit(lambda: apply_import.delay(price_import.pk, actor.pk if actor else None))
        return price_import
    return apply_import_now(price_import, actor=actor)


def _import_summary(price_import: PriceListImport) -> dict:
    return {
        "import": price_import.pk,
        "file": price_import.file_name,
        "sha256": price_import.sha256,
        "mode": price_import.mode,
        "supplier": price_import.supplier_id,
        "rows": price_import.rows_total,
        "errors": price_import.errors_count,
        "added": price_import.to_add,
        "changed": price_import.to_change,
        "withdrawn": price_import.to_withdraw,
        "unchanged": price_import.unchanged,
        "effective_date": price_import.effective_date.isoformat(),
    }


def apply_import_now(price_import: PriceListImport, *, actor) -> PriceListImport:
    """Apply in one transaction: the file as the dry run read it, compared with the catalogue as it is now."""
    try:
        price_list = _parsed(price_import)
    except UnreadableFile as error:
        PriceListImport.objects.filter(pk=price_import.pk).update(status=ImportStatus.FAILED, status_reason=str(error))
        price_import.refresh_from_db()
        return price_import
    if price_list.errors and not price_import.valid_rows_only:
        PriceListImport.objects.filter(pk=price_import.pk).update(status=ImportStatus.PREVIEWED)
        raise DomainError(_("The file has errors: nothing was changed."), code="import_has_errors")
    today = timezone.localdate()
    with transaction.atomic():
        agreement = FrameworkAgreement.objects.select_for_update().get(pk=price_import.agreement_id)
        price_import = PriceListImport.objects.select_for_update().get(pk=price_import.pk)
        items = _current_items(agreement, price_import.supplier)
        result = plan(price_list, items, price_import.mode)
        total = len(result.to_add) + len(result.to_change) + len(result.to_withdraw)
        now = timezone.now()
        revision = None
        if any(price_changed for _item, _row, price_changed in result.to_change):
            revision = PriceRevision.objects.create(
                agreement=agreement,
                kind=PriceRevisionKind.PRICE_LIST,
                effective_date=price_import.effective_date,
                reason=price_import.reason or _("Price list %(file)s") % {"file": price_import.file_name},
                items_count=sum(1 for _item, _row, changed in result.to_change if changed),
                created_by=actor,
            )
        done = 0
        for start in range(0, len(result.to_add), BATCH):
            batch = result.to_add[start : start + BATCH]
            created = [_new_item(agreement.pk, price_import.supplier_id, row, today, now) for row in batch]
            _create_items(created)
            _insert_first_prices(price_import, [item.pk for item in created], effective_from=today, created_at=now)
            done += len(batch)
            set_progress(price_import, done, total)
        changed_items = []
        prices = []
        for item, row, price_changed in result.to_change:
            for name, value in _row_values(row).items():
                setattr(item, name, value)
            item.updated_at = now
            if price_changed:
                applies_now = price_import.effective_date <= today
                prices.append(
                    ItemPrice(
                        item=item,
                        unit_price=row.unit_price,
                        list_price=row.list_price,
                        effective_from=price_import.effective_date,
                        applied=applies_now,
                        revision=revision,
                        source_import=price_import,
                    )
                )
                if applies_now:
                    item.unit_price, item.list_price = row.unit_price, row.list_price
                    item.price_effective_from = price_import.effective_date
            search.fill(item)
            changed_items.append(item)
        for start in range(0, len(changed_items), BATCH):
            CatalogItem.objects.bulk_update(
                changed_items[start : start + BATCH],
                [*DESCRIPTIVE_FIELDS, "unit_price", "list_price", "price_effective_from", "updated_at", *search.FIELDS],
            )
            done += len(changed_items[start : start + BATCH])
            set_progress(price_import, done, total)
        ItemPrice.objects.bulk_create(prices, batch_size=BATCH)
        withdrawn = [item.pk for item in result.to_withdraw]
        for start in range(0, len(withdrawn), BATCH):
            CatalogItem.objects.filter(pk__in=withdrawn[start : start + BATCH]).update(active=False, updated_at=now)
        price_import.status = ImportStatus.APPLIED
        price_import.applied_at = now
        price_import.revision = revision
        price_import.to_add, price_import.to_change = len(result.to_add), len(result.to_change)
        price_import.to_withdraw, price_import.unchanged = len(result.to_withdraw), result.unchanged
        price_import.save(
            update_fields=["status", "applied_at", "revision", "to_add", "to_change", "to_withdraw", "unchanged"]
        )
        audit.record(
            actor=actor,
            action="catalog.import_applied",
            target=agreement,
            data=_import_summary(price_import),
            organizations=[price_import.supplier_id],
        )
    cache.delete(_parse_key(price_import))
    set_progress(price_import, total, total)
    return price_import


def _new_item(agreement_id: int, supplier_id: int, row: PriceListRow, today, now) -> CatalogItem:
    item = CatalogItem(
        agreement_id=agreement_id,  # ids rather than objects: their setters are slow 100,000 times over
        supplier_id=supplier_id,
        supplier_reference=row.supplier_reference,
        unit_price=row.unit_price,
        list_price=row.list_price,
        price_effective_from=today,
        created_at=now,
        updated_at=now,
        **_row_values(row),
    )
    search.fill(item)
    return item


def _create_items(items: list[CatalogItem]) -> None:
    """Insert new lines and set their ids. On PostgreSQL through ``COPY``: at 100,000 lines,
    ``bulk_create`` took nearly twice as long, building its statement's arrays in Python.

    ``COPY`` returns no ids, so they are taken from the table's sequence first (as an insert
    would take them, unique whatever else runs).
    """
    if connection.vendor != "postgresql":
        CatalogItem.objects.bulk_create(items)
        if items and items[0].pk is None:  # a database that returns no ids from a bulk insert (SQLite < 3.35)
            ids = dict(
                CatalogItem.objects.filter(
                    agreement_id=items[0].agreement_id,
                    supplier_id=items[0].supplier_id,
                    supplier_reference__in=[item.supplier_reference for item in items],
                ).values_list("supplier_reference", "pk")
            )
            for item in items:
                item.pk = ids[item.supplier_reference]
        return
    meta = CatalogItem._meta
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy ``connection``, slow to read for every value below
    quote = database.ops.quote_name
    with database.wrap_database_errors, database.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(meta.db_table), meta.pk.column, len(items)],
        )
        for item, (pk,) in zip(items, cursor.fetchall(), strict=True):
            item.pk = pk
        fields = [field for field in meta.concrete_fields if not field.generated]
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for item in items:
                # What bulk_create would send: each field's value before saving, prepared for the database.
                copy.write_row([field.get_db_prep_save(field.pre_save(item, True), database) for field in fields])


def _insert_first_prices(
    price_import: PriceListImport, item_ids: list[int], *, effective_from: datetime.date, created_at: datetime.datetime
) -> None:
    """The first price of new lines, copied from the lines by the database.

    ``INSERT … SELECT`` rather than one ``ItemPrice`` per line: building and sending 100,000
    objects took as long as creating the lines themselves.
    """
    if not item_ids:
        return
    quote = connection.ops.quote_name
    prices, items = ItemPrice._meta, CatalogItem._meta

    def price_column(name: str) -> str:
        return quote(prices.get_field(name).column)

    def item_column(name: str) -> str:
        return quote(items.get_field(name).column)

    def value(name: str, given: object) -> object:
        return prices.get_field(name).get_db_prep_save(given, connection=connection)

    if connection.vendor == "postgresql":
        listed, listed_params = "= ANY(%s)", [item_ids]
    else:
        listed, listed_params = f"IN ({', '.join(['%s'] * len(item_ids))})", item_ids
    columns = ", ".join(
        price_column(name)
        for name in ("item", "unit_price", "list_price", "effective_from", "applied", "source_import", "created_at")
    )
    sql = (
        f"INSERT INTO {quote(prices.db_table)} ({columns}) "  # noqa: S608 — names from the models, values as parameters
        f"SELECT {item_column('id')}, {item_column('unit_price')}, {item_column('list_price')}, %s, %s, %s, %s "
        f"FROM {quote(items.db_table)} WHERE {item_column('id')} {listed}"
    )
    params = [
        value("effective_from", effective_from),
        value("applied", True),
        value("source_import", price_import.pk),
        value("created_at", created_at),
        *listed_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Revisions and scheduled prices ----------------------------------------------------------


def _formula_factor(formula: dict) -> Decimal:
    """p = p0 × (a + Σ weight × index ÷ base index), with a + Σ weight = 1."""
    try:
        fixed = Decimal(str(formula["fixed"]))
        terms = [
            (Decimal(str(term["weight"])), Decimal(str(term["base"])), Decimal(str(term["current"])))
            for term in formula["indices"]
        ]
    except (KeyError, TypeError, ArithmeticError, ValueError) as error:
        raise ValidationError(
            {"formula": _("Give the fixed part and, for each index, its weight, base value and current value.")}
        ) from error
    if not terms or any(base <= 0 or current <= 0 or weight <= 0 for weight, base, current in terms):
        raise ValidationError({"formula": _("Weights and index values must be positive.")})
    if fixed < 0 or fixed + sum(weight for weight, _base, _current in terms) != 1:
        raise ValidationError({"formula": _("The fixed part and the weights must add up to 1.")})
    return fixed + sum(weight * current / base for weight, base, current in terms)


@transaction.atomic
def revision_create(
    *,
    actor,
    agreement: FrameworkAgreement,
    kind: str,
    effective_date: datetime.date,
    reason: str,
    percentage: Decimal | None = None,
    formula: dict | None = None,
) -> PriceRevision:
    """Index every active line of the agreement by a percentage or a revision formula, from a date.

    The new prices are added to each line's history; they replace the current ones on the
    effective date (today or later). Orders keep the price they were placed at.
    """
    _check_buyer(actor)
    agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in OPEN_AGREEMENT:
        raise DomainError(_("This agreement has ended: its catalogue can no longer change."), code="agreement_ended")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason (the revision clause applied).")
    if effective_date < timezone.localdate():
        errors["effective_date"] = _("Prices cannot take effect in the past.")
    if kind == PriceRevisionKind.PERCENTAGE:
        if percentage is None or percentage <= -100:
            errors["percentage"] = _("Give the percentage (for example 2.5 or -1).")
    elif kind == PriceRevisionKind.FORMULA:
        if formula is None:
            errors["formula"] = _("Give the revision formula.")
    else:
        errors["kind"] = _("A new price list is applied by importing it.")
    if errors:
        raise ValidationError(errors)
    factor = 1 + percentage / 100 if kind == PriceRevisionKind.PERCENTAGE else _formula_factor(formula)
    revision = PriceRevision.objects.create(
        agreement=agreement,
        kind=kind,
        effective_date=effective_date,
        reason=reason,
        percentage=percentage,
        formula=formula,
        created_by=actor,
    )
    items = list(CatalogItem.objects.filter(agreement=agreement, active=True).order_by())
    latest = _latest_prices([item.pk for item in items])
    applies_now = effective_date <= timezone.localdate()
    prices = []
    for item in items:
        base = latest.get(item.pk, item.unit_price)
        new_price = (base * factor).quantize(UNIT_PRICE, rounding=ROUND_HALF_UP)
        prices.append(
            ItemPrice(
                item=item,
                unit_price=new_price,
                list_price=item.list_price,
                effective_from=effective_date,
                applied=applies_now,
                revision=revision,
            )
        )
        if applies_now:
            item.unit_price, item.price_effective_from = new_price, effective_date
    ItemPrice.objects.bulk_create(prices, batch_size=BATCH)
    if applies_now:
        CatalogItem.objects.bulk_update(items, ["unit_price", "price_effective_from"], batch_size=BATCH)
    revision.items_count = len(items)
    revision.save(update_fields=["items_count"])
    audit.record(
        actor=actor,
        action="catalog.revised",
        target=agreement,
        data={
            "revision": revision.pk,
            "kind": kind,
            "factor": str(factor.quantize(Decimal("0.000001"))),
            "effective_date": effective_date.isoformat(),
            "lines": len(items),
            "reason": reason,
        },
        organizations=list(agreement.supplier_links.values_list("supplier_id", flat=True)),
    )
    return revision


def _latest_prices(item_ids: Iterable[int]) -> dict[int, Decimal]:
    """The latest scheduled price of each line (a revision builds on what is already planned)."""
    latest = {}
    for item_id, unit_price in (
        ItemPrice.objects.filter(item_id__in=list(item_ids), applied=False)
        .order_by("item_id", "effective_from", "id")
        .values_list("item_id", "unit_price")
    ):
        latest[item_id] = unit_price
    return latest


def apply_due_prices(today: datetime.date | None = None) -> int:
    """Scheduled prices whose date has come become the lines' current prices (system)."""
    today = today or timezone.localdate()
    due = ItemPrice.objects.filter(applied=False, effective_from__lte=today)
    if not due.exists():
        return 0
    count = 0
    with transaction.atomic():
        newest = due.values("item_id").annotate(latest=Max("effective_from")).values_list("item_id", "latest")
        for item_id, effective_from in newest:
            price = (
                ItemPrice.objects.filter(item_id=item_id, applied=False, effective_from=effective_from)
                .order_by("-id")
                .first()
            )
            CatalogItem.objects.filter(pk=item_id).update(
                unit_price=price.unit_price,
                list_price=price.list_price,
                price_effective_from=effective_from,
                updated_at=timezone.now(),
            )
            count += 1
        due.update(applied=True)
    return count
