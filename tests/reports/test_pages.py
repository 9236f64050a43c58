"""The report pages: every report on screen in French with its charts, figures and tables; the
index of the reports a role may run; the dashboards' links; filters that are wrong shown as form
errors; long registers cut on screen; download links that keep the filters; a constant number of
queries whatever the number of orders."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.core.permissions import Role
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import approved, catalogue_line, subscribe
from tests.factories.tenders import concluded_agreement
from tests.reports.fixtures_api import build_world
from tests.web.helpers import assert_redirects_to_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_world(db):
    return build_world()


NBSP = "\xa0"
YEAR = timezone.localdate().year


@pytest.fixture
def browse(client, settings):
    """Sign ``user`` in, pages in ``language`` (French unless told)."""

    def sign_in(user, language="fr"):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


def main_of(response) -> str:
    """The page's main content, without the navigation."""
    html = response.content.decode()
    return html[html.index('<main id="content"') : html.index("</main>")]


def body_rows(html: str, table_key: str) -> int:
    section = html[html.index(f'id="table-{table_key}"') :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return body.count("<tr>")


# --- Each report on screen ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "params", "charts", "tables", "figure"),
    [
        ("consumption", {}, 1, ["agreements", "members"], f"1{NBSP}165,89{NBSP}€"),
        ("spend", {"group_by": "member,month"}, 2, ["spend", "pivot"], f"1{NBSP}165,89{NBSP}€"),
        ("savings", {}, 1, ["savings"], f"212,58{NBSP}€"),
        ("register", {}, 0, ["lines"], f"1{NBSP}399,49{NBSP}€"),
        ("statement", {"member": "B"}, 2, ["agreements", "budget_articles", "savings", "estimates", "orders"], None),
        ("annual", {"year": YEAR}, 6, ["members", "agreements", "months", "suppliers", "cpv", "savings"], None),
    ],
)
def test_each_report_renders_in_french_with_its_charts_figures_and_tables(
    report_world, browse, identifier, params, charts, tables, figure
):
    # given IMIO's finance, reading French
    w = report_world
    if params.get("member") == "B":
        params = {"member": w.commune_b.pk}
    client = browse(w.users["imio_finance"])

    # when it opens the report
    response = client.get(reverse("report", args=[identifier]), params)

    # then the page is French, with the report's charts, headline figures and tables
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    result = response.context["result"]
    assert result is not None
    assert [table.key for table in result.tables] == tables
    main = main_of(response)
    assert main.count("<svg") == charts
    assert main.count('<dl class="report-figures">') == 1
    for key in tables:
        assert f'id="table-{key}"' in main
    assert "<table>" in main
    if figure is not None:
        assert f"<dd>{figure}</dd>" in main


def test_amounts_and_months_read_as_in_french(report_world, browse):
    client = browse(report_world.users["imio_finance"])

    main = main_of(client.get(reverse("report", args=["spend"]), {"group_by": "member,month"}))

    month = timezone.localdate().strftime("%m")
    french_months = {
        "01": "janvier",
        "02": "février",
        "03": "mars",
        "04": "avril",
        "05": "mai",
        "06": "juin",
        "07": "juillet",
        "08": "août",
        "09": "septembre",
        "10": "octobre",
        "11": "novembre",
        "12": "décembre",
    }
    assert f"<td>{french_months[month]} {YEAR}</td>" in main
    assert f"596,52{NBSP}€" in main
    assert f"<dd>233,60{NBSP}€</dd>" in main  # VAT of all the counted orders
    assert "1165.89" not in main


# --- The index and the dashboards -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("imio_finance", ["consumption", "spend", "savings", "register", "statement", "annual"]),
        ("finance_a", ["consumption", "spend", "savings", "register", "statement"]),
        ("supplier_1", ["consumption", "spend", "savings", "register"]),
        ("observer", ["consumption", "spend", "savings", "annual"]),
    ],
)
def test_the_index_lists_the_reports_the_role_may_run(report_world, browse, role, expected):
    response = browse(report_world.users[role]).get(reverse("reports"))

    assert response.status_code == 200
    assert [report.identifier for report in response.context["reports"]] == expected
    links = re.findall(r'<h2><a href="/reports/([a-z_]+)/">', main_of(response))
    assert links == expected


@pytest.mark.parametrize("role", ["imio_finance", "imio_buyer", "finance_a", "admin_a", "supplier_1", "observer"])
def test_the_dashboards_link_to_the_reports(report_world, browse, role):
    response = browse(report_world.users[role]).get(reverse("dashboard"))

    assert response.status_code == 200
    # in the page itself, not only in the navigation
    assert f'href="{reverse("reports")}"' in main_of(response)


def test_an_officer_may_not_read_the_reports(report_world, browse):
    client = browse(report_world.users["officer_a"])

    assert client.get(reverse("reports")).status_code == 403
    assert client.get(reverse("report", args=["spend"])).status_code == 403
    assert client.get(reverse("report_download", args=["spend"]), {"format": "csv"}).status_code == 403
    assert f'href="{reverse("reports")}"' not in client.get(reverse("dashboard")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(report_world, client):
    for path in (reverse("reports"), reverse("report", args=["spend"]), reverse("report_download", args=["spend"])):
        assert_redirects_to_login(client.get(path))


@pytest.mark.parametrize(
    ("role", "identifier"),
    [("observer", "register"), ("observer", "statement"), ("supplier_1", "statement"), ("finance_a", "annual")],
)
def test_a_report_the_role_may_not_run_answers_403(report_world, browse, role, identifier):
    client = browse(report_world.users[role])

    assert client.get(reverse("report", args=[identifier])).status_code == 403
    assert client.get(reverse("report_download", args=[identifier]), {"format": "csv"}).status_code == 403


def test_an_unknown_report_answers_404(report_world, browse):
    client = browse(report_world.users["imio_finance"])

    assert client.get(reverse("report", args=["nonsense"])).status_code == 404
    assert client.get(reverse("report_download", args=["nonsense"])).status_code == 404


# --- Filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"group_by": "month,year"}, "group_by", "Group by one period at most: month, quarter or year."),
        ({"group_by": "nonsense"}, "group_by", "Select a valid choice. nonsense is not one of the available choices."),
        (
            {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            "date_to",
            "The end of the period comes before its start.",
        ),
        ({"date_from": "2010-01-01", "date_to": "2026-01-01"}, "date_to", "A report covers at most ten years."),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
    ],
)
def test_invalid_filters_show_the_form_errors(report_world, browse, params, field, message):
    client = browse(report_world.users["imio_finance"], language="en")

    response = client.get(reverse("report", args=["spend"]), params)

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors == {field: [message]}
    main = main_of(response)
    assert '<details class="report-filters" open>' in main
    assert message.replace('"', "&quot;") in main
    assert 'class="report-figures"' not in main


def test_a_member_of_another_organisation_is_a_form_error_on_the_page(report_world, browse):
    w = report_world
    client = browse(w.users["finance_a"], language="en")

    response = client.get(reverse("report", args=["register"]), {"member": w.commune_b.pk})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["member"]
    assert w.commune_b.name not in response.content.decode()


def test_imio_is_asked_for_the_member_of_a_statement(report_world, browse):
    client = browse(report_world.users["imio_finance"], language="en")

    response = client.get(reverse("report", args=["statement"]), {"date_from": f"{YEAR}-01-01"})

    assert response.context["form"].errors == {"member": ["Choose the member whose statement you want."]}


def test_a_download_with_bad_filters_sends_back_to_the_report_with_the_reasons(report_world, browse):
    client = browse(report_world.users["imio_finance"], language="en")

    response = client.get(reverse("report_download", args=["spend"]), {"group_by": "month,year", "format": "csv"})

    assert response.status_code == 302
    assert response.url == f"{reverse('report', args=['spend'])}?group_by=month%2Cyear"
    page = client.get(response.url)
    assert "Group by one period at most: month, quarter or year." in page.content.decode()


def test_a_download_in_a_format_that_is_no_file_sends_back_with_the_reason(report_world, browse):
    client = browse(report_world.users["imio_finance"], language="en")

    response = client.get(reverse("report_download", args=["spend"]), {"group_by": "member", "format": "json"})

    assert response.status_code == 302
    assert response.url == f"{reverse('report', args=['spend'])}?group_by=member"
    assert "Choose CSV, XLSX or PDF." in client.get(response.url).content.decode()


def test_names_are_escaped_in_the_tables_and_the_charts(report_world, browse):
    w = report_world
    w.supplier_1.name = "R&D <b>Papeterie</b>"
    w.supplier_1.save(update_fields=["name"])

    html = browse(w.users["imio_finance"]).get(reverse("report", args=["spend"]), {"group_by": "supplier"})

    content = html.content.decode()
    assert "<b>Papeterie</b>" not in content
    assert "R&amp;D &lt;b&gt;Papeterie&lt;/b&gt;" in content


# --- Long registers and download links ----------------------------------------------------------


def test_the_register_page_shows_its_first_rows_with_a_note(report_world, browse, monkeypatch):
    # given a register of 8 lines and pages that show 3 of them
    monkeypatch.setattr("reports.views.HTML_ROWS", 3)
    client = browse(report_world.users["imio_finance"], language="en")

    # when IMIO's finance opens it
    response = client.get(reverse("report", args=["register"]))

    # then the page shows 3 rows, the totals and the figures of all 8
    main = main_of(response)
    assert body_rows(main, "lines") == 3
    figures = {figure.label: figure.value for figure in response.context["result"].figures}
    assert figures["Order lines"] == 8
    assert f"1{NBSP}399,49{NBSP}€" in main  # the totals of every line
    # and a note says there are more
    assert "The first 3 of 8 rows are shown here" in main


def test_a_short_register_has_no_note(report_world, browse):
    main = main_of(browse(report_world.users["finance_a"], language="en").get(reverse("report", args=["register"])))

    assert body_rows(main, "lines") == 4
    assert "rows are shown here" not in main


def test_the_download_links_keep_the_filters(report_world, browse):
    w = report_world
    client = browse(w.users["imio_finance"])
    query = f"group_by=member%2Cmonth&amp;date_from={YEAR}-01-01&amp;supplier={w.supplier_1.pk}"

    main = main_of(
        client.get(
            reverse("report", args=["spend"]),
            {"group_by": "member,month", "date_from": f"{YEAR}-01-01", "supplier": w.supplier_1.pk},
        )
    )

    base = reverse("report_download", args=["spend"])
    for suffix in ("format=csv", "format=csv&amp;dialect=rfc4180", "format=xlsx", "format=pdf"):
        assert f'href="{base}?{query}&amp;{suffix}"' in main, suffix
    # and what they download is the filtered report
    download = client.get(
        base, {"group_by": "member,month", "date_from": f"{YEAR}-01-01", "supplier": w.supplier_1.pk, "format": "csv"}
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="spend-')
    rows = download.content.decode("utf-8-sig").splitlines()[1:]
    assert sorted(row.split(";")[0] for row in rows) == sorted([w.commune_a.name, w.commune_b.name])
    assert sorted(row.split(";")[3] for row in rows) == ["107,52", "211,37"]  # B's approved order counts for IMIO


# --- Queries -----------------------------------------------------------------------------------


@pytest.fixture
def ordering(db):
    """A commune ordering from one supplier: ``order()`` approves one more order of three lines."""
    commune = OrganizationFactory()
    MembershipFactory(member=commune)
    supplier = SupplierFactory()
    agreement = concluded_agreement(suppliers=[supplier])
    subscribe(commune, agreement)
    items = [
        catalogue_line(agreement, supplier, "P-1", "3.2549", list_price="4.1000"),
        catalogue_line(agreement, supplier, "P-2", "24.99", vat="6"),
        catalogue_line(agreement, supplier, "P-3", "65.00", unit="HUR"),
    ]
    officer = person(commune, Role.MEMBER_OFFICER)
    approver = person(commune, Role.MEMBER_APPROVER)

    def order(budget_article="104/742-53"):
        return approved(officer, approver, dict.fromkeys(items, 2), budget_article=budget_article)

    return order


@pytest.mark.parametrize(
    "params",
    [
        {},  # by agreement and month: from the rollups
        {"group_by": "member,budget_article"},  # from the order lines
        {"group_by": "supplier,cpv_group,quarter"},  # from the order lines, with a pivot
    ],
)
def test_the_spend_page_costs_the_same_queries_for_more_orders(ordering, browse, imio, params):
    client = browse(person(imio, Role.FINANCE))
    for article in ("104/742-53", "722/124-48"):
        ordering(article)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("report", args=["spend"]), params).status_code == 200

    for index in range(4):
        ordering(f"10{index}/742-53")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("report", args=["spend"]), params)

    assert response.context["result"].figures[0].value == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_register_page_costs_the_same_queries_for_more_orders(ordering, browse, imio):
    client = browse(person(imio, Role.FINANCE))
    for _ in range(2):
        ordering()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("report", args=["register"]))

    for _ in range(4):
        ordering()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("report", args=["register"]))

    assert response.context["result"].figures[0].value == 18
    assert len(many.captured_queries) == len(few.captured_queries)
