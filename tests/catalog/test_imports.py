"""Price-list imports: dry run, all-or-nothing application, replace and delta, proposals."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog import price_lists, services
from catalog.models import CatalogItem, ImportStatus, ItemPrice
from catalog.price_lists import read_price_list
from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from tests.catalog.conftest import csv_file, xlsx

pytestmark = pytest.mark.django_db
D = Decimal

ROWS = [
    ["P-001", "Ramette A4 80 g", "C62", "3,25", "21%", "4,10", "30197630-1"],
    ["P-002", "Classeur à levier", "pièce", "1.234,50", "0,21", "", "30192000"],
    ["P-003", "Stylo bille bleu", "pc", "0.4", "21", "0,55", ""],
]


def upload(buyer, agreement, file, **kwargs):
    return services.import_upload(actor=buyer, agreement=agreement, file=file, **kwargs)


def test_dry_run_counts_and_changes_nothing(buyer, agreement):
    price_import = upload(buyer, agreement, xlsx(ROWS))
    assert price_import.status == ImportStatus.PREVIEWED
    assert (price_import.rows_total, price_import.rows_ok, price_import.to_add, price_import.errors_count) == (
        3,
        3,
        3,
        0,
    )
    assert not CatalogItem.objects.exists()


def test_apply_creates_the_lines_with_their_first_price_and_one_audit_entry(buyer, agreement):
    price_import = services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    assert price_import.status == ImportStatus.APPLIED
    items = {item.supplier_reference: item for item in CatalogItem.objects.all()}
    assert items["P-002"].unit_price == D("1234.5000")
    assert items["P-002"].cpv_code_id == "30192000-1"
    assert items["P-002"].unit == "C62"
    assert items["P-003"].vat_rate == D("21.00")
    assert items["P-001"].list_price == D("4.1000")
    assert ItemPrice.objects.count() == 3
    [entry] = AuditEntry.objects.filter(action="catalog.import_applied")
    assert entry.data["added"] == 3
    assert entry.data["sha256"] == price_import.sha256


def test_reimporting_the_same_file_changes_nothing(buyer, agreement):
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    again = upload(buyer, agreement, xlsx(ROWS))
    assert (again.to_add, again.to_change, again.to_withdraw, again.unchanged) == (0, 0, 0, 3)
    services.import_apply(actor=buyer, price_import=again)
    assert ItemPrice.objects.count() == 3


def test_replace_withdraws_absent_lines_and_delta_does_not(buyer, agreement):
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    delta = upload(buyer, agreement, xlsx([ROWS[0]]), mode="delta")
    assert delta.to_withdraw == 0
    replace = upload(buyer, agreement, xlsx([ROWS[0]]), mode="replace")
    assert replace.to_withdraw == 2
    services.import_apply(actor=buyer, price_import=replace)
    assert set(CatalogItem.objects.filter(active=True).values_list("supplier_reference", flat=True)) == {"P-001"}


def test_a_price_change_keeps_the_history(buyer, agreement):
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    changed = [["P-001", "Ramette A4 80 g", "C62", "3,40", "21%", "4,10", "30197630-1"]]
    preview = upload(buyer, agreement, xlsx(changed))
    assert preview.changes == [
        {"reference": "P-001", "old_price": "3.2500", "new_price": "3.40", "price_changed": True}
    ]
    services.import_apply(actor=buyer, price_import=preview)
    item = CatalogItem.objects.get(supplier_reference="P-001")
    assert item.unit_price == D("3.4000")
    assert list(item.prices.values_list("unit_price", flat=True)) == [D("3.2500"), D("3.4000")]


def test_a_scheduled_price_waits_for_its_date(buyer, agreement):
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    later = timezone.localdate() + datetime.timedelta(days=30)
    changed = [["P-001", "Ramette A4 80 g", "C62", "3,60", "21%", "4,10", "30197630-1"]]
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(changed), effective_date=later))
    item = CatalogItem.objects.get(supplier_reference="P-001")
    assert item.unit_price == D("3.2500")
    assert services.apply_due_prices(later - datetime.timedelta(days=1)) == 0
    assert services.apply_due_prices(later) == 1
    item.refresh_from_db()
    assert (item.unit_price, item.price_effective_from) == (D("3.6000"), later)


def test_one_bad_row_and_nothing_changes_unless_the_buyer_applies_the_valid_rows(buyer, agreement):
    rows = [*ROWS, ["P-004", "Agrafeuse", "C62", "-3", "21", "", ""]]
    preview = upload(buyer, agreement, xlsx(rows))
    assert preview.errors == [{"row": 5, "column": "unit_price", "reason": "A price cannot be negative."}]
    with pytest.raises(DomainError) as refused:
        services.import_apply(actor=buyer, price_import=preview)
    assert refused.value.code == "import_has_errors"
    assert not CatalogItem.objects.exists()
    services.import_apply(actor=buyer, price_import=preview, valid_rows_only=True)
    assert CatalogItem.objects.count() == 3


def test_a_suppliers_upload_is_a_proposal_until_a_buyer_approves(buyer, agreement, supplier_user):
    preview = services.import_upload(actor=supplier_user, agreement=agreement, file=xlsx(ROWS))
    proposed = services.import_apply(actor=supplier_user, price_import=preview)
    assert proposed.status == ImportStatus.PROPOSED
    assert not CatalogItem.objects.exists()
    approved = services.import_approve(actor=buyer, price_import=proposed)
    assert approved.status == ImportStatus.APPLIED
    assert CatalogItem.objects.count() == 3


def test_a_supplier_cannot_upload_for_another_suppliers_agreement(agreement, rival):
    from django.core.exceptions import PermissionDenied

    _company, user = rival
    with pytest.raises(PermissionDenied):
        services.import_upload(actor=user, agreement=agreement, file=xlsx(ROWS))


def test_csv_in_windows_1252_with_semicolons(buyer, agreement):
    text = "Référence;Désignation;Unité;Prix unitaire HTVA;Taux TVA\r\nE-1;Enveloppe élégante;pièce;0,12;21%\r\n"
    preview = upload(buyer, agreement, csv_file(text, encoding="cp1252"))
    assert (preview.rows_ok, preview.errors_count) == (1, 0)
    services.import_apply(actor=buyer, price_import=preview)
    assert CatalogItem.objects.get().name_fr == "Enveloppe élégante"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(buyer, agreement, kind):
    from django.core.files.base import ContentFile

    from catalog import exports

    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    items = CatalogItem.objects.filter(agreement=agreement)
    data = exports.to_csv(items) if kind == "csv" else exports.to_xlsx(items)
    again = upload(buyer, agreement, ContentFile(data, name=f"export.{kind}"), mode="replace")
    assert (again.errors_count, again.to_add, again.to_change, again.to_withdraw, again.unchanged) == (0, 0, 0, 0, 3)


# --- The dry run's reading is kept for the apply ----------------------------------------------


@pytest.fixture
def reads(monkeypatch):
    """How many times a price-list file is read (parsed) by the services."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[1])
        return read_price_list(*args, **kwargs)

    monkeypatch.setattr(services, "read_price_list", counting)
    return calls


def test_the_apply_uses_the_dry_runs_reading_of_the_file(buyer, agreement, reads):
    preview = upload(buyer, agreement, xlsx(ROWS))
    assert len(reads) == 1
    preview.file.delete(save=False)  # proof that the file is not read again
    applied = services.import_apply(actor=buyer, price_import=preview)
    assert applied.status == ImportStatus.APPLIED
    assert len(reads) == 1
    assert CatalogItem.objects.count() == ItemPrice.objects.count() == 3


def test_the_file_is_read_again_when_the_cache_no_longer_holds_the_dry_run(buyer, agreement, reads):
    preview = upload(buyer, agreement, xlsx(ROWS))
    cache.clear()  # expired, evicted, or applied by a worker with a cache of its own
    applied = services.import_apply(actor=buyer, price_import=preview)
    assert applied.status == ImportStatus.APPLIED
    assert len(reads) == 2
    assert CatalogItem.objects.count() == ItemPrice.objects.count() == 3


def test_a_reading_kept_by_other_code_is_not_used(buyer, agreement, reads, monkeypatch):
    preview = upload(buyer, agreement, xlsx(ROWS))
    monkeypatch.setattr(price_lists, "PACKED_FORMAT", price_lists.PACKED_FORMAT + 1)  # the code changed since
    services.import_apply(actor=buyer, price_import=preview)
    assert len(reads) == 2
    assert CatalogItem.objects.count() == 3


def test_the_kept_reading_is_dropped_once_applied(buyer, agreement):
    preview = upload(buyer, agreement, xlsx(ROWS))
    assert cache.get(services._parse_key(preview)) is not None
    services.import_apply(actor=buyer, price_import=preview)
    assert cache.get(services._parse_key(preview)) is None


def test_a_packed_price_list_unpacks_equal():
    rows = [*ROWS, ["P-004", "Agrafeuse", "C62", "-3", "21", "", ""], ["P-001", "Doublon", "C62", "1", "21", "", ""]]
    price_list = read_price_list(xlsx(rows).read(), "tarif.xlsx", cpv_codes=services.cpv_index())
    assert price_list.errors
    cache.set("packed", price_lists.pack(price_list))  # pickled, as by any cache
    assert price_lists.unpack(cache.get("packed")) == price_list
    assert price_lists.unpack(None) is None
    assert price_lists.unpack((0, (), [], [], 0, "", {})) is None


# --- New lines and their first price ---------------------------------------------------------


def test_each_new_line_has_its_first_price_from_the_import(buyer, agreement, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)  # several batches
    progress = []
    set_progress = services.set_progress
    monkeypatch.setattr(services, "set_progress", lambda *args: (progress.append(args[1:]), set_progress(*args)))
    preview = upload(buyer, agreement, xlsx(ROWS))
    progress.clear()
    applied = services.import_apply(actor=buyer, price_import=preview)
    assert progress == [(2, 3), (3, 3), (3, 3)]
    today = timezone.localdate()
    prices = {
        price.item.supplier_reference: price for price in ItemPrice.objects.select_related("item", "source_import")
    }
    assert set(prices) == {"P-001", "P-002", "P-003"}
    for reference, price in prices.items():
        assert (price.unit_price, price.list_price) == (price.item.unit_price, price.item.list_price), reference
        assert (price.effective_from, price.applied, price.revision_id) == (today, True, None)
        assert price.source_import == applied
        assert price.created_at == price.item.created_at == applied.applied_at
    assert prices["P-002"].list_price is None
    assert prices["P-003"].unit_price == D("0.4000")


def test_lines_get_their_ids_where_a_bulk_insert_returns_none(buyer, agreement, monkeypatch):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL takes the ids from the sequence before COPY")
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    services.import_apply(actor=buyer, price_import=upload(buyer, agreement, xlsx(ROWS)))
    assert CatalogItem.objects.count() == ItemPrice.objects.count() == 3
    assert not CatalogItem.objects.filter(prices__isnull=True).exists()
