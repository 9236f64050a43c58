"""Catalogue pages: the search (a member sees the lines of the agreements it may use, a supplier
its own, IMIO all), one line with its price history, the price-list imports with their preview,
application, proposal and approval, the price revisions and the exports."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import CatalogItem, ImportStatus, ItemPrice, PriceListImport, PriceRevision
from catalog.search import CatalogPaginator
from procurement.core.permissions import Role
from tests.catalog.conftest import csv_file, xlsx
from tests.factories import SupplierFactory, person
from tests.factories.tenders import concluded_agreement
from tests.helpers import database_state
from tests.web.helpers import assert_redirects_to_login, messages_of

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["P-001", "Ramette A4 80 g", "C62", "3,25", "21%", "4,10", "30197630-1"],
    ["P-002", "Classeur à levier", "pièce", "1.234,50", "0,21", "", "30192000"],
    ["P-003", "Stylo bille bleu", "pc", "0.4", "6", "0,55", ""],
]
BAD_ROW = ["P-004", "Agrafeuse", "C62", "-3", "21", "", ""]


@pytest.fixture
def company(supplier_user):
    return supplier_user.acting.organization


@pytest.fixture
def agreement(company):
    return concluded_agreement(suppliers=[company])


@pytest.fixture
def lines(buyer, agreement):
    """The agreement's catalogue: three lines, applied by IMIO's buyer."""
    stock(buyer, agreement, ROWS)
    return {item.supplier_reference: item for item in CatalogItem.objects.filter(agreement=agreement)}


@pytest.fixture
def rival(db):
    """Another supplier, with its own agreement and one catalogue line."""
    return person(SupplierFactory(name="Concurrent SA"), Role.SUPPLIER, username="rival")


@pytest.fixture
def rival_line(buyer, rival):
    rival_agreement = concluded_agreement(suppliers=[rival.acting.organization])
    stock(buyer, rival_agreement, [["R-001", "Ramette recyclée", "C62", "2,90", "21", "", "30197630-1"]])
    return CatalogItem.objects.get(agreement=rival_agreement)


@pytest.fixture
def today():
    return timezone.localdate()


def stock(buyer, agreement, rows):
    preview = services.import_upload(actor=buyer, agreement=agreement, file=xlsx(rows))
    return services.import_apply(actor=buyer, price_import=preview)


def preview_of(actor, agreement, rows=ROWS, **kwargs) -> PriceListImport:
    return services.import_upload(actor=actor, agreement=agreement, file=xlsx(rows), **kwargs)


def upload_data(file, **fields) -> dict:
    return {"file": file, "mode": "delta", "effective_date": timezone.localdate().isoformat(), "reason": "", **fields}


def percentage_data(percentage, effective_date, reason="Indexation annuelle, art. 12 du CSC") -> dict:
    return {
        "percentage-percentage": percentage,
        "percentage-effective_date": effective_date.isoformat(),
        "percentage-reason": reason,
    }


def formula_data(effective_date, fixed="0.2", indices=(("Ei", "0.8", "100", "104"),)) -> dict:
    data = {
        "formula-fixed": fixed,
        "formula-effective_date": effective_date.isoformat(),
        "formula-reason": "Formule de révision, art. 13 du CSC",
    }
    for number, (name, weight, base, current) in enumerate(indices, start=1):
        data.update(
            {
                f"formula-index_{number}_name": name,
                f"formula-index_{number}_weight": weight,
                f"formula-index_{number}_base": base,
                f"formula-index_{number}_current": current,
            }
        )
    return data


def listed(response) -> list[str]:
    return [item.supplier_reference for item in response.context["items"]]


def search(client, **params):
    return client.get(reverse("catalog_search"), params)


# --- Who reaches which page ------------------------------------------------------------------


@pytest.fixture
def pages(agreement, lines, buyer) -> list[str]:
    price_import = PriceListImport.objects.get()
    return [
        reverse("catalog_search"),
        reverse("catalog_item", args=[lines["P-001"].pk]),
        reverse("catalog_export", args=[agreement.pk, "csv"]),
        reverse("catalog_imports", args=[agreement.pk]),
        reverse("catalog_import", args=[price_import.pk]),
        reverse("catalog_import_progress", args=[price_import.pk]),
        reverse("catalog_revisions", args=[agreement.pk]),
    ]


def test_every_catalogue_page_sends_anonymous_visitors_to_login(client, pages):
    for url in pages:
        assert_redirects_to_login(client.get(url))


READER = [200, 200, 200, 403, 403, 403, 403]  # search, line and export; no imports, no revisions


@pytest.mark.parametrize(
    ("role_fixture", "statuses"),
    [
        ("buyer", [200] * 7),
        ("imio_admin", READER),
        ("finance", READER),
        ("member_admin", READER),
        ("officer", READER),
        ("approver", READER),
        ("supplier_user", [200] * 6 + [403]),
        ("observer", [403] * 7),
        ("newcomer", [403] * 7),
    ],
)
def test_every_role_across_every_catalogue_page(request, login, pages, role_fixture, statuses):
    client = login(request.getfixturevalue(role_fixture))

    assert [client.get(url).status_code for url in pages] == statuses


@pytest.fixture
def actions(agreement, lines, today) -> list[tuple[str, dict]]:
    price_import = PriceListImport.objects.get()
    return [
        (reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx(ROWS))),
        (reverse("catalog_import_apply", args=[price_import.pk]), {}),
        (reverse("catalog_import_apply_valid_rows", args=[price_import.pk]), {}),
        (reverse("catalog_import_approve", args=[price_import.pk]), {}),
        (reverse("catalog_import_reject", args=[price_import.pk]), {"reject-reason": "Non"}),
        (reverse("catalog_revision_percentage", args=[agreement.pk]), percentage_data("5", today)),
        (reverse("catalog_revision_formula", args=[agreement.pk]), formula_data(today)),
    ]


@pytest.mark.parametrize(
    ("role_fixture", "refused"),
    [
        ("imio_admin", slice(None)),
        ("finance", slice(None)),
        ("member_admin", slice(None)),
        ("officer", slice(None)),
        ("approver", slice(None)),
        ("observer", slice(None)),
        ("newcomer", slice(None)),
        ("supplier_user", slice(2, None)),  # it uploads and proposes its own lists, nothing more
    ],
)
def test_refused_catalogue_actions_change_nothing(request, login, actions, role_fixture, refused):
    client = login(request.getfixturevalue(role_fixture))
    before = database_state()

    statuses = [client.post(url, data).status_code for url, data in actions[refused]]

    assert statuses == [403] * len(actions[refused])
    assert database_state() == before


def test_another_supplier_finds_neither_the_lines_nor_the_imports(login, rival, agreement, lines):
    client = login(rival)
    price_import = PriceListImport.objects.get()

    assert client.get(reverse("catalog_item", args=[lines["P-001"].pk])).status_code == 404
    assert client.get(reverse("catalog_import", args=[price_import.pk])).status_code == 404
    assert client.get(reverse("catalog_imports", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("catalog_export", args=[agreement.pk, "csv"])).status_code == 404
    assert listed(search(client)) == []


def test_a_supplier_lists_its_own_lines_and_imio_all_of_them(login, supplier_user, buyer, lines, rival_line):
    assert listed(search(login(supplier_user))) == ["P-002", "P-001", "P-003"]
    assert listed(search(login(buyer))) == ["P-002", "P-001", "R-001", "P-003"]


def test_a_member_does_not_see_the_lines_of_an_agreement_it_may_not_use(
    login, buyer, officer, other_commune, other_officer, company, lines
):
    named = concluded_agreement(suppliers=[company], beneficiary_scope="named")
    named.beneficiaries.set([other_commune])
    stock(buyer, named, [["N-001", "Ramette réservée", "C62", "3,00", "21", "", ""]])
    reserved = CatalogItem.objects.get(supplier_reference="N-001")
    client = login(officer)

    assert listed(search(client)) == ["P-002", "P-001", "P-003"]
    assert client.get(reverse("catalog_item", args=[reserved.pk])).status_code == 404
    assert listed(search(login(other_officer))) == ["P-002", "P-001", "N-001", "P-003"]


def test_a_line_is_listed_once_when_an_all_members_agreement_also_names_beneficiaries(
    login, officer, commune, other_commune, agreement, lines
):
    agreement.beneficiaries.set([commune, other_commune])

    assert listed(search(login(officer))) == ["P-002", "P-001", "P-003"]


# --- Search ----------------------------------------------------------------------------------


def test_the_search_table_shows_prices_vat_and_savings(login, officer, lines):
    response = search(login(officer), q="P-001")

    content = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["P-001"]
    assert "Ramette A4 80 g" in content
    assert '<td class="number nowrap">3.25 €</td>' in content  # 3.2500, trimmed to cents
    assert '<td class="number nowrap">21 %</td>' in content
    assert '<td class="number nowrap">4.10 €</td>' in content
    assert '<td class="number nowrap">20.7 %</td>' in content  # (4.10 − 3.25) ÷ 4.10
    assert "piece" in content


def test_a_unit_price_keeps_the_decimals_it_has(login, buyer, officer, agreement):
    stock(buyer, agreement, [["P-009", "Trombone", "C62", "0,0125", "21", "1234,5", ""]])

    content = search(login(officer)).content.decode()

    assert '<td class="number nowrap">0.0125 €</td>' in content
    assert '<td class="number nowrap">1,234.50 €</td>' in content
    assert '<td class="number nowrap">100.0 %</td>' in content


def test_search_by_words_of_the_name_and_by_reference(login, officer, lines):
    client = login(officer)

    assert listed(search(client, q="ramette")) == ["P-001"]
    assert listed(search(client, q="stylo bleu")) == ["P-003"]
    assert listed(search(client, q="P-002")) == ["P-002"]
    assert listed(search(client, q="agrafeuse")) == []


def test_search_by_cpv_label(login, officer, lines):
    # 30192000-1 is "Office supplies": its label is searched in the reader's language.
    assert listed(search(login(officer), q="office supplies")) == ["P-002"]


def test_filter_by_cpv_prefix(login, officer, lines):
    client = login(officer)

    assert listed(search(client, cpv="3019")) == ["P-002", "P-001"]
    assert listed(search(client, cpv="301976")) == ["P-001"]
    assert listed(search(client, cpv="30190000-4")) == ["P-002", "P-001"]  # a class, and the codes under it
    assert listed(search(client, cpv="45")) == []


def test_filter_by_price_range_and_vat_rate(login, officer, lines):
    client = login(officer)

    assert listed(search(client, price_min="1", price_max="100")) == ["P-001"]
    assert listed(search(client, price_min="1000")) == ["P-002"]
    assert listed(search(client, price_max="0.40")) == ["P-003"]
    assert listed(search(client, vat_rate="6.00")) == ["P-003"]


def test_filter_by_agreement_and_supplier(login, buyer, lines, rival_line, agreement, rival):
    client = login(buyer)

    assert listed(search(client, agreement=agreement.pk)) == ["P-002", "P-001", "P-003"]
    assert listed(search(client, supplier=rival.acting.organization.pk)) == ["R-001"]


def test_a_wrong_filter_is_shown_and_the_others_still_apply(login, officer, lines):
    response = search(login(officer), price_min="abc", cpv="3019")

    assert listed(response) == ["P-002", "P-001"]
    assert response.context["filter_form"].errors == {"price_min": ["Enter a number."]}


def test_ordering_by_price_and_by_name(login, officer, lines):
    client = login(officer)

    assert listed(search(client, order="price")) == ["P-003", "P-001", "P-002"]
    assert listed(search(client, order="-price")) == ["P-002", "P-001", "P-003"]
    assert listed(search(client, order="name")) == ["P-002", "P-001", "P-003"]


def test_withdrawn_lines_are_hidden_unless_asked_for(login, buyer, officer, agreement, lines):
    replace = preview_of(buyer, agreement, [ROWS[0]], mode="replace")
    services.import_apply(actor=buyer, price_import=replace)
    client = login(buyer)

    assert listed(search(client)) == ["P-001"]
    assert listed(search(client, active="withdrawn")) == ["P-002", "P-003"]
    assert listed(search(client, active="all")) == ["P-002", "P-001", "P-003"]
    # Members only ever see what they can order.
    assert listed(search(login(officer), active="withdrawn")) == []


def test_the_search_is_paginated_by_twenty(login, buyer, officer, agreement):
    stock(buyer, agreement, [[f"R-{n:03d}", f"Article {n:03d}", "C62", "1", "21", "", ""] for n in range(25)])
    client = login(officer)

    first, second = search(client), search(client, page=2)

    assert (len(listed(first)), len(listed(second))) == (20, 5)
    assert first.context["paginator"].count == 25


def test_a_scheduled_price_that_became_due_is_listed(login, buyer, officer, agreement, lines, today):
    later = today + datetime.timedelta(days=10)
    services.revision_create(
        actor=buyer, agreement=agreement, kind="percentage", effective_date=later, reason="Index", percentage=D("10")
    )
    ItemPrice.objects.filter(applied=False).update(effective_from=today)  # ten days later, in short

    response = search(login(officer), q="P-001")

    assert '<td class="number nowrap">3.575 €</td>' in response.content.decode()
    assert CatalogItem.objects.get(supplier_reference="P-001").unit_price == D("3.5750")


def test_search_queries_do_not_grow_with_rows(login, buyer, officer, agreement, rival):
    client = login(officer)
    stock(buyer, agreement, ROWS[:1])
    search(client)  # warm the caches (content types, CPV labels)
    with CaptureQueriesContext(connection) as few:
        search(client)
    stock(buyer, agreement, ROWS)
    rival_agreement = concluded_agreement(suppliers=[rival.acting.organization])
    stock(buyer, rival_agreement, [[f"R-{n}", f"Article {n}", "C62", "1", "21", "", "30192000"] for n in range(8)])

    with CaptureQueriesContext(connection) as many:
        response = search(client)

    assert len(listed(response)) == 11
    assert len(many) == len(few)


# --- One line --------------------------------------------------------------------------------


def test_the_line_page_shows_its_fields_and_cpv_label(login, officer, lines, agreement):
    response = login(officer).get(reverse("catalog_item", args=[lines["P-002"].pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Classeur à levier" in content
    assert "1,234.50 €" in content
    assert "30192000-1 — Office supplies" in content
    assert f'href="{reverse("agreement_detail", args=[agreement.pk])}"' in content


def test_the_price_history_shows_past_current_and_scheduled_prices_with_their_origin(
    login, buyer, agreement, lines, today
):
    later = today + datetime.timedelta(days=30)
    client = login(buyer)
    client.post(
        reverse("catalog_revision_percentage", args=[agreement.pk]),
        {
            "percentage-percentage": "2",
            "percentage-effective_date": later.isoformat(),
            "percentage-reason": "Art. 38/7",
        },
    )

    response = client.get(reverse("catalog_item", args=[lines["P-001"].pk]))

    content = response.content.decode()
    first, scheduled = ItemPrice.objects.filter(item=lines["P-001"]).order_by("effective_from")
    assert [price.pk for price in response.context["prices"]] == [scheduled.pk, first.pk]
    assert (scheduled.unit_price, scheduled.applied) == (D("3.3150"), False)
    assert content.count('<span class="badge badge-requested">scheduled</span>') == 1
    assert "Indexation by a percentage: Art. 38/7" in content
    price_import = PriceListImport.objects.get()
    assert f'<a href="{reverse("catalog_import", args=[price_import.pk])}">tarif.xlsx</a>' in content


def test_a_member_reads_the_origin_of_a_price_without_a_link_to_the_import(login, officer, lines):
    content = login(officer).get(reverse("catalog_item", args=[lines["P-001"].pk])).content.decode()

    assert "Import" in content
    assert "tarif.xlsx" in content
    assert reverse("catalog_import", args=[PriceListImport.objects.get().pk]) not in content


# --- Imports: upload and preview -------------------------------------------------------------


def test_upload_reads_the_file_and_shows_the_preview_with_the_errors_by_row(login, buyer, agreement):
    client = login(buyer)

    response = client.post(reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx([*ROWS, BAD_ROW])))

    price_import = PriceListImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog_import", args=[price_import.pk])
    assert messages_of(response) == ["The file is read: check the preview, then apply it."]
    assert not CatalogItem.objects.exists()
    page = client.get(response.url)
    content = page.content.decode()
    assert [(e.row, e.column, e.reason) for e in page.context["row_errors"]] == [
        (5, "Prix unitaire HTVA", "A price cannot be negative.")
    ]
    assert '<th scope="row" class="number">5</th><td>Prix unitaire HTVA</td><td>A price cannot be negative.</td>' in (
        content
    )
    assert (price_import.rows_total, price_import.rows_ok, price_import.to_add, price_import.errors_count) == (
        4,
        3,
        3,
        1,
    )
    assert page.context["can_apply_valid_rows"] is True
    assert "1 row has an error: the list is applied all or nothing" in content
    assert "Apply the 3 valid rows only" in content


def test_an_unreadable_file_is_recorded_with_its_reason(login, buyer, agreement):
    client = login(buyer)

    response = client.post(
        reverse("catalog_imports", args=[agreement.pk]), upload_data(csv_file("juste du texte", name="notes.csv"))
    )

    page = client.get(response.url)
    assert messages_of(response) == ["The file cannot be read: see why below."]
    assert PriceListImport.objects.get().status == ImportStatus.FAILED
    assert [(e.row, e.column) for e in page.context["row_errors"]] == [(None, "—")]
    assert page.context["can_apply"] is False


def test_the_preview_shows_the_price_changes(login, buyer, agreement, lines):
    changed = [["P-001", "Ramette A4 80 g", "C62", "3,40", "21%", "4,10", "30197630-1"]]
    price_import = preview_of(buyer, agreement, changed)

    content = login(buyer).get(reverse("catalog_import", args=[price_import.pk])).content.decode()

    assert "3.25 €</del>" in content
    assert "3.40 €</ins>" in content


def test_upload_in_the_past_is_refused_on_its_field(login, buyer, agreement, today):
    before = database_state()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()

    response = login(buyer).post(
        reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx(ROWS), effective_date=yesterday)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"effective_date": ["Prices cannot take effect in the past."]}
    assert database_state() == before


def test_upload_without_a_file_is_refused(login, buyer, agreement):
    response = login(buyer).post(reverse("catalog_imports", args=[agreement.pk]), {"mode": "delta"})

    assert response.context["form"].errors == {"file": ["This field is required."]}
    assert not PriceListImport.objects.exists()


def test_the_buyer_chooses_the_supplier_of_a_multi_supplier_agreement(login, buyer, company, rival):
    cascade = concluded_agreement(suppliers=[company, rival.acting.organization])
    client = login(buyer)
    url = reverse("catalog_imports", args=[cascade.pk])

    form = client.get(url).context["form"]
    refused = client.post(url, upload_data(xlsx(ROWS)))
    accepted = client.post(url, upload_data(xlsx(ROWS), supplier=rival.acting.organization.pk))

    assert list(form.fields["supplier"].queryset) == sorted([company, rival.acting.organization], key=str)
    assert refused.context["form"].errors == {"supplier": ["This field is required."]}
    assert accepted.status_code == 302
    assert PriceListImport.objects.get().supplier == rival.acting.organization


def test_no_supplier_to_choose_for_a_single_supplier_agreement_nor_for_the_supplier(
    login, buyer, supplier_user, company, rival
):
    cascade = concluded_agreement(suppliers=[company, rival.acting.organization])
    single = concluded_agreement(suppliers=[company])

    assert "supplier" not in login(buyer).get(reverse("catalog_imports", args=[single.pk])).context["form"].fields
    assert (
        "supplier" not in login(supplier_user).get(reverse("catalog_imports", args=[cascade.pk])).context["form"].fields
    )


def test_a_supplier_lists_only_its_own_imports_of_a_shared_agreement(login, buyer, supplier_user, company, rival):
    cascade = concluded_agreement(suppliers=[company, rival.acting.organization])
    own = preview_of(supplier_user, cascade)
    preview_of(rival, cascade)

    response = login(supplier_user).get(reverse("catalog_imports", args=[cascade.pk]))

    assert list(response.context["imports"]) == [own]
    assert len(login(buyer).get(reverse("catalog_imports", args=[cascade.pk])).context["imports"]) == 2
    assert login(rival).get(reverse("catalog_import", args=[own.pk])).status_code == 404


def test_the_imports_history_shows_file_digest_and_counts(login, buyer, agreement, lines):
    price_import = PriceListImport.objects.get()

    content = login(buyer).get(reverse("catalog_imports", args=[agreement.pk])).content.decode()

    assert f'<code title="{price_import.sha256}">{price_import.sha256[:12]}</code>' in content
    assert '<span class="badge badge-applied">applied</span>' in content


def test_an_ended_agreement_takes_no_price_list(login, buyer, company):
    ended = concluded_agreement(suppliers=[company], status="terminated")
    client = login(buyer)
    before = database_state()

    page = client.get(reverse("catalog_imports", args=[ended.pk]))
    response = client.post(reverse("catalog_imports", args=[ended.pk]), upload_data(xlsx(ROWS)))

    assert page.context["catalogue_open"] is False
    assert response.status_code == 302
    assert response.url == reverse("catalog_imports", args=[ended.pk])
    assert messages_of(response) == ["This agreement has ended: its catalogue can no longer change."]
    assert database_state() == before


def test_a_member_may_not_upload(login, officer, agreement):
    before = database_state()

    response = login(officer).post(reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx(ROWS)))

    assert response.status_code == 403
    assert database_state() == before


# --- Imports: progress -----------------------------------------------------------------------


def test_a_big_file_is_read_in_the_background_and_its_page_refreshes_itself(login, buyer, agreement, settings):
    settings.CATALOG_BACKGROUND_BYTES = 10  # every file is "big"
    client = login(buyer)

    response = client.post(reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx(ROWS)))
    price_import = PriceListImport.objects.get()
    services.set_progress(price_import, 1, 3)
    page = client.get(response.url)
    progress = client.get(reverse("catalog_import_progress", args=[price_import.pk]))

    assert price_import.status == ImportStatus.PENDING
    assert messages_of(response) == ["The file is being read; this page shows how far it has gone."]
    assert page["Refresh"] == "2"
    assert '<progress id="import-progress" value="1" max="3"></progress>' in page.content.decode()
    assert progress.json() == {"status": "pending", "status_label": "being read", "done": 1, "total": 3}


def test_a_finished_import_does_not_refresh(login, buyer, agreement, lines):
    page = login(buyer).get(reverse("catalog_import", args=[PriceListImport.objects.get().pk]))

    assert "Refresh" not in page
    assert page.context["in_progress"] is False


# --- Imports: apply, valid rows, proposals ---------------------------------------------------


def test_the_buyer_applies_a_clean_file(login, buyer, agreement):
    price_import = preview_of(buyer, agreement)

    response = login(buyer).post(reverse("catalog_import_apply", args=[price_import.pk]))

    assert response.url == reverse("catalog_import", args=[price_import.pk])
    assert messages_of(response) == ["The price list is applied: 3 lines added, 0 changed, 0 withdrawn."]
    assert set(CatalogItem.objects.values_list("supplier_reference", flat=True)) == {"P-001", "P-002", "P-003"}


def test_a_file_with_errors_is_applied_all_or_nothing(login, buyer, agreement):
    price_import = preview_of(buyer, agreement, [*ROWS, BAD_ROW])
    before = database_state()

    response = login(buyer).post(reverse("catalog_import_apply", args=[price_import.pk]))

    assert response.url == reverse("catalog_import", args=[price_import.pk])
    assert messages_of(response) == [
        "1 row has an error: nothing was changed. Correct the file, or apply the valid rows only."
    ]
    assert database_state() == before


def test_the_buyer_applies_the_valid_rows_only(login, buyer, agreement):
    price_import = preview_of(buyer, agreement, [*ROWS, BAD_ROW])

    response = login(buyer).post(reverse("catalog_import_apply_valid_rows", args=[price_import.pk]))

    price_import.refresh_from_db()
    assert messages_of(response) == ["The price list is applied: 3 lines added, 0 changed, 0 withdrawn."]
    assert (price_import.status, price_import.valid_rows_only) == (ImportStatus.APPLIED, True)
    assert CatalogItem.objects.count() == 3


def test_a_supplier_may_not_apply_the_valid_rows_only(login, supplier_user, agreement):
    price_import = preview_of(supplier_user, agreement, [*ROWS, BAD_ROW])
    before = database_state()

    response = login(supplier_user).post(reverse("catalog_import_apply_valid_rows", args=[price_import.pk]))

    assert response.status_code == 403
    assert database_state() == before


def test_the_suppliers_list_is_a_proposal_that_the_buyer_approves(login, supplier_user, buyer, agreement):
    supplier = login(supplier_user)
    response = supplier.post(reverse("catalog_imports", args=[agreement.pk]), upload_data(xlsx(ROWS)))
    price_import = PriceListImport.objects.get()
    preview = supplier.get(response.url)

    proposed = supplier.post(reverse("catalog_import_apply", args=[price_import.pk]))

    price_import.refresh_from_db()
    assert "Propose the price list" in preview.content.decode()
    assert messages_of(proposed) == [
        "Your price list is proposed to the central purchasing body; prices change when a buyer approves it."
    ]
    assert (price_import.status, price_import.proposal) == (ImportStatus.PROPOSED, True)
    assert not CatalogItem.objects.exists()

    buyer_client = login(buyer)
    assert buyer_client.get(reverse("catalog_import", args=[price_import.pk])).context["can_decide"] is True
    approved = buyer_client.post(reverse("catalog_import_approve", args=[price_import.pk]))

    price_import.refresh_from_db()
    assert messages_of(approved) == ["The price list is applied: 3 lines added, 0 changed, 0 withdrawn."]
    assert (price_import.status, price_import.decided_by) == (ImportStatus.APPLIED, buyer)
    assert CatalogItem.objects.count() == 3


def test_the_supplier_may_not_approve_its_own_proposal(login, supplier_user, agreement):
    price_import = services.import_apply(actor=supplier_user, price_import=preview_of(supplier_user, agreement))
    before = database_state()

    response = login(supplier_user).post(reverse("catalog_import_approve", args=[price_import.pk]))

    assert response.status_code == 403
    assert database_state() == before


def test_the_buyer_rejects_a_proposal_with_its_reason(login, supplier_user, buyer, agreement):
    price_import = services.import_apply(actor=supplier_user, price_import=preview_of(supplier_user, agreement))

    response = login(buyer).post(
        reverse("catalog_import_reject", args=[price_import.pk]), {"reject-reason": "Hausse non prévue au CSC"}
    )

    price_import.refresh_from_db()
    assert messages_of(response) == ["The proposal is rejected; the supplier can read why."]
    assert (price_import.status, price_import.status_reason) == (ImportStatus.REJECTED, "Hausse non prévue au CSC")
    page = login(supplier_user).get(reverse("catalog_import", args=[price_import.pk])).content.decode()
    assert '<span class="badge badge-rejected">rejected</span>' in page
    assert "— Hausse non prévue au CSC" in page
    assert not CatalogItem.objects.exists()


def test_a_rejection_without_reason_comes_back_with_the_error(login, supplier_user, buyer, agreement):
    price_import = services.import_apply(actor=supplier_user, price_import=preview_of(supplier_user, agreement))
    before = database_state()

    response = login(buyer).post(reverse("catalog_import_reject", args=[price_import.pk]), {"reject-reason": ""})

    assert response.status_code == 200
    assert response.context["reject_form"].errors == {"reason": ["This field is required."]}
    assert database_state() == before


def test_an_applied_import_cannot_be_applied_again(login, buyer, agreement, lines):
    price_import = PriceListImport.objects.get()
    before = database_state()

    response = login(buyer).post(reverse("catalog_import_apply", args=[price_import.pk]))

    assert messages_of(response) == ["This import is applied: it cannot be applied."]
    assert database_state() == before


# --- Revisions -------------------------------------------------------------------------------


def test_a_scheduled_percentage_revision_waits_for_its_date(login, buyer, agreement, lines, today):
    later = today + datetime.timedelta(days=30)
    client = login(buyer)

    response = client.post(reverse("catalog_revision_percentage", args=[agreement.pk]), percentage_data("2.5", later))

    revision = PriceRevision.objects.get(kind="percentage")
    assert response.url == reverse("catalog_revisions", args=[agreement.pk])
    assert messages_of(response) == [f"The revision is recorded: 3 lines get a new price from {later:%d/%m/%Y}."]
    assert (revision.percentage, revision.items_count, revision.created_by) == (D("2.500"), 3, buyer)
    item = CatalogItem.objects.get(supplier_reference="P-001")
    assert item.unit_price == D("3.2500")
    assert list(item.prices.filter(applied=False).values_list("unit_price", "effective_from")) == [(D("3.3313"), later)]
    listing = client.get(reverse("catalog_revisions", args=[agreement.pk]))
    assert list(listing.context["revisions"]) == [revision]
    assert "2.5 %" in listing.content.decode()


def test_a_formula_revision_applies_today(login, buyer, agreement, lines, today):
    response = login(buyer).post(reverse("catalog_revision_formula", args=[agreement.pk]), formula_data(today))

    revision = PriceRevision.objects.get(kind="formula")
    assert response.status_code == 302
    assert revision.formula == {
        "fixed": "0.2",
        "indices": [{"name": "Ei", "weight": "0.8", "base": "100", "current": "104"}],
    }
    # 3.25 × (0.2 + 0.8 × 104 ÷ 100) = 3.354
    assert CatalogItem.objects.get(supplier_reference="P-001").unit_price == D("3.3540")


def test_a_formula_whose_weights_do_not_add_up_is_refused(login, buyer, agreement, lines, today):
    before = database_state()

    response = login(buyer).post(
        reverse("catalog_revision_formula", args=[agreement.pk]),
        formula_data(today, fixed="0.3", indices=(("Ei", "0.8", "100", "104"),)),
    )

    formula = next(choice for choice in response.context["choices"] if choice.kind == "formula")
    assert response.status_code == 200
    assert formula.form.non_field_errors() == ["The fixed part and the weights must add up to 1."]
    assert database_state() == before


def test_an_incomplete_index_is_refused_on_its_fields(login, buyer, agreement, lines, today):
    data = formula_data(today)
    data["formula-index_2_name"] = "Salaires"
    before = database_state()

    response = login(buyer).post(reverse("catalog_revision_formula", args=[agreement.pk]), data)

    formula = next(choice for choice in response.context["choices"] if choice.kind == "formula")
    assert formula.form.errors == {
        name: ["Complete this index, or leave all its fields empty."]
        for name in ("index_2_weight", "index_2_base", "index_2_current")
    }
    assert database_state() == before


def test_a_revision_in_the_past_is_refused_on_its_field(login, buyer, agreement, lines, today):
    before = database_state()

    response = login(buyer).post(
        reverse("catalog_revision_percentage", args=[agreement.pk]),
        percentage_data("2", today - datetime.timedelta(days=1)),
    )

    percentage = next(choice for choice in response.context["choices"] if choice.kind == "percentage")
    assert percentage.form.errors == {"effective_date": ["Prices cannot take effect in the past."]}
    assert database_state() == before


def test_a_supplier_may_not_revise_prices(login, supplier_user, agreement, lines, today):
    before = database_state()

    response = login(supplier_user).post(
        reverse("catalog_revision_percentage", args=[agreement.pk]), percentage_data("50", today)
    )

    assert response.status_code == 403
    assert database_state() == before


# --- Exports ---------------------------------------------------------------------------------


def test_csv_export_with_bom_and_semicolons(login, officer, agreement, lines):
    response = login(officer).get(reverse("catalog_export", args=[agreement.pk, "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="catalogue-{agreement.reference}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfR\xc3\xa9f\xc3\xa9rence;D\xc3\xa9signation;")
    assert b"\nP-001;Ramette A4 80 g;" in response.content


def test_xlsx_export(login, supplier_user, agreement, lines):
    response = login(supplier_user).get(reverse("catalog_export", args=[agreement.pk, "xlsx"]))

    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="catalogue-{agreement.reference}.xlsx"'
    assert response.content.startswith(b"PK\x03\x04")


def test_an_unknown_export_format_is_not_found(login, officer, agreement):
    assert login(officer).get(reverse("catalog_export", args=[agreement.pk, "pdf"])).status_code == 404


def test_a_member_exports_nothing_of_an_agreement_it_may_not_use(login, officer, other_commune, company, buyer):
    named = concluded_agreement(suppliers=[company], beneficiary_scope="named")
    named.beneficiaries.set([other_commune])
    stock(buyer, named, ROWS)

    response = login(officer).get(reverse("catalog_export", args=[named.pk, "csv"]))

    assert response.content.decode("utf-8-sig").splitlines()[1:] == []


# --- Links -----------------------------------------------------------------------------------


def test_the_agreement_page_links_to_its_catalogue(login, buyer, officer, agreement):
    buyer_page = login(buyer).get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    member_page = login(officer).get(reverse("agreement_detail", args=[agreement.pk])).content.decode()

    for url in (
        f"{reverse('catalog_search')}?agreement={agreement.pk}",
        reverse("catalog_export", args=[agreement.pk, "csv"]),
        reverse("catalog_imports", args=[agreement.pk]),
        reverse("catalog_revisions", args=[agreement.pk]),
    ):
        assert f'href="{url}"' in buyer_page
    assert f'href="{reverse("catalog_search")}?agreement={agreement.pk}"' in member_page
    assert reverse("catalog_imports", args=[agreement.pk]) not in member_page
    assert reverse("catalog_revisions", args=[agreement.pk]) not in member_page


def test_the_navigation_shows_the_catalogue_to_those_who_may_read_it(login, officer, observer):
    link = f'<a href="{reverse("catalog_search")}"'

    assert link in login(officer).get(reverse("dashboard")).content.decode()
    assert link not in login(observer).get(reverse("dashboard")).content.decode()


def test_a_search_lists_newest_first_unless_another_order_is_chosen(login, officer, buyer, agreement, lines):
    stock(buyer, agreement, [["P-010", "Ramette A5 80 g", "C62", "2,10", "21", "", "30197630-1"]])
    client = login(officer)

    assert listed(search(client, q="ramette")) == ["P-010", "P-001"]  # added last, listed first
    assert listed(search(client, q="ramette", order="name")) == ["P-001", "P-010"]  # A4 before A5
    assert listed(search(client, q="ramette", order="price")) == ["P-010", "P-001"]
    assert listed(search(client, cpv="301976")) == ["P-001", "P-010"]  # browsing without words: by name


def test_more_matches_than_the_cap_are_announced(login, officer, lines, monkeypatch):
    monkeypatch.setattr(CatalogPaginator, "cap", 2)
    page = search(login(officer))

    assert listed(page) == ["P-002", "P-001"]
    assert "More than 2 lines: the first 2 are listed." in page.content.decode()
