"""The reports through the API: which reports each role may run, one report in every format,
bad parameters answered 400 with the field and the reason, and tenancy — a member reads its own
figures, a supplier what was sent to it, an observer aggregates without anybody's name, IMIO all."""

import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.api.conftest import client_for
from tests.reports.fixtures_api import ALL_REPORTS, COUNTED, OF_A, OF_B, SENT_TO_1, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_world(db):
    return build_world()


MEMBER_REPORTS = ["consumption", "spend", "savings", "register", "statement"]
SUPPLIER_REPORTS = ["consumption", "spend", "savings", "register"]
OBSERVER_REPORTS = ["consumption", "spend", "savings", "annual"]
YEAR = str(timezone.localdate().year)


def run(user, identifier, **params):
    """GET a report as ``user``, messages in English."""
    return client_for(user).get(f"/api/v1/reports/{identifier}/", params, HTTP_ACCEPT_LANGUAGE="en")


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def text_of(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def figures(data) -> dict:
    return {figure["label"]: figure["value"] for figure in data["figures"]}


def table(data, key: str) -> dict:
    [found] = [t for t in data["tables"] if t["key"] == key]
    return found


# --- The list of reports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("imio_finance", ALL_REPORTS),
        ("imio_buyer", ALL_REPORTS),
        ("imio_admin", ALL_REPORTS),
        ("finance_a", MEMBER_REPORTS),
        ("admin_a", MEMBER_REPORTS),
        ("supplier_1", SUPPLIER_REPORTS),
        ("observer", OBSERVER_REPORTS),
    ],
)
def test_each_role_lists_the_reports_it_may_run(report_world, role, expected):
    # given a user of each role
    user = report_world.users[role]

    # when it lists the reports
    listed = ok(client_for(user).get("/api/v1/reports/", HTTP_ACCEPT_LANGUAGE="en"))

    # then it reads exactly the reports its audience may run, in the registry's order
    assert [entry["identifier"] for entry in listed] == expected


@pytest.mark.parametrize("role", ["officer_a", "approver_a"])
def test_people_without_the_report_permission_are_refused(report_world, role):
    response = client_for(report_world.users[role]).get("/api/v1/reports/")

    assert response.status_code == 403
    assert client_for(report_world.users[role]).get("/api/v1/reports/spend/").status_code == 403


def test_anonymous_requests_answer_401(report_world):
    from rest_framework.test import APIClient

    for path in ("/api/v1/reports/", "/api/v1/reports/spend/", "/api/v1/reports/spend/?format=csv"):
        assert APIClient().get(path).status_code == 401, path


def test_each_entry_describes_the_report_and_its_parameters(report_world):
    listed = ok(client_for(report_world.users["imio_finance"]).get("/api/v1/reports/", HTTP_ACCEPT_LANGUAGE="en"))
    spend = next(entry for entry in listed if entry["identifier"] == "spend")

    assert set(spend) == {"identifier", "title", "description", "formats", "parameters"}
    assert spend["title"] == "Spend"
    assert spend["description"].startswith("Amounts excl. VAT, VAT and incl. VAT of approved orders")
    assert spend["formats"] == ["json", "csv", "xlsx", "pdf"]
    parameters = {parameter["name"]: parameter for parameter in spend["parameters"]}
    assert list(parameters) == [
        "member",
        "member_kind",
        "supplier",
        "agreement",
        "date_from",
        "date_to",
        "status",
        "group_by",
    ]
    assert parameters["date_from"] == {"name": "date_from", "type": "date", "label": "From", "required": False}
    assert parameters["member"] == {
        "name": "member",
        "type": "organization",
        "label": "Member",
        "required": False,
    }
    group_by = parameters["group_by"]
    assert (group_by["label"], group_by["required"]) == ("Group by", False)
    assert [choice["value"] for choice in group_by["choices"]] == [
        "member",
        "supplier",
        "agreement",
        "lot",
        "cpv_division",
        "cpv_group",
        "budget_article",
        "month",
        "quarter",
        "year",
    ]
    assert group_by["choices"][0] == {"value": "member", "label": "Member"}
    assert [choice["value"] for choice in parameters["status"]["choices"]] == [
        "approved",
        "sent",
        "confirmed",
        "declined",
        "partially_delivered",
        "delivered",
        "closed",
    ]
    assert parameters["member_kind"]["choices"][0] == {"value": "commune", "label": "Commune"}
    # every entry is described the same way; enumerations carry their choices
    for entry in listed:
        assert entry["formats"] == ["json", "csv", "xlsx", "pdf"], entry["identifier"]
        for parameter in entry["parameters"]:
            assert {"name", "type", "label", "required"} <= set(parameter), (entry["identifier"], parameter)
    annual = next(entry for entry in listed if entry["identifier"] == "annual")
    assert annual["parameters"] == [{"name": "year", "type": "integer", "label": "Year", "required": False}]


# --- One report in every format -------------------------------------------------------------


def test_spend_by_member_and_month_as_json(report_world):
    w = report_world

    data = ok(run(w.users["imio_finance"], "spend", group_by="member,month", format="json"))

    assert (data["report"], data["title"]) == ("spend", "Spend")
    assert data["parameters"] == {"group_by": ["member,month"]}
    assert figures(data) == {
        "Orders": 5,
        "Spend excl. VAT": "1165.89",
        "VAT": "233.60",
        "Spend incl. VAT": "1399.49",
    }
    spend = table(data, "spend")
    assert [column["key"] for column in spend["columns"]] == ["member", "month", "orders", "net", "vat", "gross"]
    month = f"{YEAR}-{timezone.localdate():%m}-01"
    assert sorted(spend["rows"], key=lambda row: row["member"]) == sorted(
        [
            {
                "member": w.commune_a.name,
                "month": month,
                "orders": 2,
                "net": "596.52",
                "vat": "114.03",
                "gross": "710.55",
            },
            {
                "member": w.commune_b.name,
                "month": month,
                "orders": 3,
                "net": "569.37",
                "vat": "119.57",
                "gross": "688.94",
            },
        ],
        key=lambda row: row["member"],
    )
    assert spend["totals"] == {
        "member": "Total",
        "month": None,
        "orders": 5,
        "net": "1165.89",
        "vat": "233.60",
        "gross": "1399.49",
    }
    # the totals are those of the orders themselves, to the cent
    assert w.totals(w.counted(*COUNTED)) == {"net": "1165.89", "vat": "233.60", "gross": "1399.49"}
    # one period and another grouping: the pivot with the periods across
    pivot = table(data, "pivot")
    assert pivot["totals"]["total"] == "1165.89"


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", "\ufeff".encode()),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_spend_as_a_file(report_world, fmt, content_type, magic):
    response = run(report_world.users["imio_finance"], "spend", group_by="member,month", format=fmt)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    stamp = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="spend-{stamp}.{fmt}"'
    assert response.content.startswith(magic)


def test_spend_as_belgian_and_rfc4180_csv(report_world):
    w = report_world
    user = w.users["imio_finance"]
    month = timezone.localdate().replace(day=1)
    rows = sorted(
        [(w.commune_a.name, "2", "596.52", "114.03", "710.55"), (w.commune_b.name, "3", "569.37", "119.57", "688.94")]
    )

    be = run(user, "spend", group_by="member,month", format="csv").content.decode("utf-8-sig")
    rfc = run(user, "spend", group_by="member,month", format="csv", dialect="rfc4180").content.decode("utf-8")

    assert be.splitlines()[0] == "Member;Month;Orders;Excl. VAT;VAT;Incl. VAT"
    assert sorted(be.split("\r\n")[1:-1]) == [
        f"{name};{month:%d/%m/%Y};{orders};{net.replace('.', ',')};{vat.replace('.', ',')};{gross.replace('.', ',')}"
        for name, orders, net, vat, gross in rows
    ]
    assert not rfc.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(rfc)))
    assert parsed[0] == ["Member", "Month", "Orders", "Excl. VAT", "VAT", "Incl. VAT"]
    assert sorted(parsed[1:]) == [
        [name, month.isoformat(), orders, net, vat, gross] for name, orders, net, vat, gross in rows
    ]
    assert rfc.endswith("\r\n")


def test_spend_as_xlsx_holds_typed_cells_and_the_totals(report_world):
    response = run(report_world.users["imio_finance"], "spend", group_by="member", format="xlsx")

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[workbook.sheetnames[0]]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Member", "Orders", "Excl. VAT", "VAT", "Incl. VAT"]
    assert len(values) == 4  # header, two members, totals
    assert values[-1][0] == "Total"
    assert [str(value) for value in values[-1][1:]] == ["5", "1165.89", "233.6", "1399.49"]


def test_a_csv_of_another_table_of_the_report(report_world):
    response = run(report_world.users["imio_finance"], "spend", group_by="member,month", format="csv", table="pivot")

    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("Member;")
    unknown = run(report_world.users["imio_finance"], "spend", format="csv", table="nonsense")
    assert (unknown.status_code, unknown.json()) == (400, {"table": ["This report has no table “nonsense”."]})


# --- Bad parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"date_from": "2026-03-01", "date_to": "2026-02-28"},
            {"date_to": ["The end of the period comes before its start."]},
        ),
        (
            {"date_from": "2016-01-01", "date_to": "2026-01-01"},
            {"date_to": ["A report covers at most ten years."]},
        ),
        ({"date_from": "2026-02-30"}, {"date_from": ["Enter a valid date."]}),
        (
            {"group_by": "nonsense"},
            {"group_by": ["Select a valid choice. nonsense is not one of the available choices."]},
        ),
        ({"group_by": "month,year"}, {"group_by": ["Group by one period at most: month, quarter or year."]}),
        ({"group_by": "member,quarter,month"}, {"group_by": ["Group by one period at most: month, quarter or year."]}),
        (
            {"group_by": "cpv_division,cpv_group"},
            {"group_by": ["Group by CPV division or by CPV group, not both."]},
        ),
        ({"dialect": "excel", "format": "csv"}, {"dialect": ["Choose the CSV dialect “be” or “rfc4180”."]}),
    ],
)
def test_bad_parameters_answer_400_with_the_field_and_the_reason(report_world, params, errors):
    response = run(report_world.users["imio_finance"], "spend", **params)

    assert response.status_code == 400
    assert response.json() == errors


def test_a_period_of_ten_years_less_a_day_is_accepted(report_world):
    response = run(report_world.users["imio_finance"], "spend", date_from="2016-01-02", date_to="2026-01-01")

    assert response.status_code == 200


def test_an_unknown_format_answers_400_naming_it(report_world):
    # given formats the API does not produce
    for fmt in ("docx", "html"):
        # when a report is asked in one
        response = run(report_world.users["imio_finance"], "spend", format=fmt)

        # then the answer names the parameter and why, in JSON
        assert response.status_code == 400, fmt
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"format": [f"This report is not available as {fmt}."]}, fmt


def test_a_member_of_another_organisation_is_not_a_valid_choice(report_world):
    w = report_world

    for identifier in ("spend", "savings", "register", "statement", "consumption"):
        response = run(w.users["finance_a"], identifier, member=w.commune_b.pk)

        assert response.status_code == 400, identifier
        assert response.json() == {
            "member": ["Select a valid choice. That choice is not one of the available choices."]
        }, identifier


def test_a_supplier_may_not_filter_on_another_supplier_or_its_agreement(report_world):
    w = report_world

    other_supplier = run(w.users["supplier_1"], "spend", supplier=w.supplier_2.pk)
    other_agreement = run(w.users["supplier_1"], "register", agreement=w.agreement_2.pk)

    assert (other_supplier.status_code, list(other_supplier.json())) == (400, ["supplier"])
    assert (other_agreement.status_code, list(other_agreement.json())) == (400, ["agreement"])


def test_imio_must_choose_the_member_of_a_statement(report_world):
    response = run(report_world.users["imio_finance"], "statement")

    assert response.status_code == 400
    assert response.json() == {"member": ["Choose the member whose statement you want."]}


def test_the_annual_report_of_a_year_to_come_is_refused(report_world):
    response = run(report_world.users["imio_finance"], "annual", year=int(YEAR) + 1)

    assert (response.status_code, response.json()) == (400, {"year": ["The year has not begun yet."]})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_errors_are_json_even_when_a_file_was_asked(report_world, fmt):
    response = run(report_world.users["imio_finance"], "spend", group_by="nonsense", format=fmt)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["group_by"]
    refused = run(report_world.users["observer"], "register", format=fmt)
    assert (refused.status_code, refused["Content-Type"]) == (403, "application/json")
    assert "detail" in refused.json()


def test_an_unknown_report_answers_404(report_world):
    assert run(report_world.users["imio_finance"], "nonsense").status_code == 404
    assert run(report_world.users["observer"], "nonsense").status_code == 404


@pytest.mark.parametrize(
    ("role", "identifier"),
    [
        ("observer", "register"),
        ("observer", "statement"),
        ("supplier_1", "statement"),
        ("supplier_1", "annual"),
        ("finance_a", "annual"),
    ],
)
def test_a_report_the_role_may_not_run_answers_403(report_world, role, identifier):
    response = run(report_world.users[role], identifier)

    assert response.status_code == 403
    assert text_of(response.json()).count("1165") == 0


# --- Tenancy ---------------------------------------------------------------------------------


def test_a_members_finance_reads_only_its_own_orders(report_world):
    w = report_world
    user = w.users["finance_a"]
    own = w.totals(w.counted(*OF_A))
    assert own == {"net": "596.52", "vat": "114.03", "gross": "710.55"}

    spend = ok(run(user, "spend", group_by="member,supplier"))
    savings = ok(run(user, "savings"))
    register = ok(run(user, "register"))
    statement = ok(run(user, "statement"))
    consumption = ok(run(user, "consumption"))

    assert table(spend, "spend")["totals"] == {
        "member": "Total",
        "supplier": None,
        "orders": 2,
        "net": own["net"],
        "vat": own["vat"],
        "gross": own["gross"],
    }
    assert {row["member"] for row in table(spend, "spend")["rows"]} == {w.commune_a.name}
    assert figures(savings) == {
        "Savings": "69.45",
        "Rate of savings": "24.7",
        "At list prices": "281.00",
        "Spend without a list price": "384.97",
    }
    assert {row["member"] for row in table(savings, "savings")["rows"]} == {w.commune_a.name}
    lines = table(register, "lines")
    assert len(lines["rows"]) == w.lines_of(*OF_A) == 4
    assert {(row["number"], row["member"]) for row in lines["rows"]} == {
        (w.orders[key].number, w.commune_a.name) for key in OF_A
    }
    assert {key: lines["totals"][key] for key in own} == own
    assert statement["title"] == f"Member statement — {w.commune_a.name}"
    assert [row["number"] for row in table(statement, "orders")["rows"]] == [w.orders[key].number for key in OF_A]
    assert {key: table(statement, "orders")["totals"][key] for key in own} == own
    assert figures(statement)["Spend excl. VAT"] == own["net"]
    assert {row["member"] for row in table(consumption, "members")["rows"]} == {w.commune_a.name}
    for data in (spend, savings, register, statement, consumption):
        assert w.commune_b.name not in text_of(data), data["report"]


def test_a_members_statement_is_its_own_whatever_member_it_names(report_world):
    w = report_world

    statement = ok(run(w.users["finance_a"], "statement", member=w.commune_a.pk))

    assert statement["title"] == f"Member statement — {w.commune_a.name}"
    assert figures(statement)["Orders"] == 2


def test_the_other_members_finance_reads_its_own_too(report_world):
    w = report_world

    spend = ok(run(w.users["finance_b"], "spend", group_by="member"))
    register = ok(run(w.users["finance_b"], "register"))

    own = w.totals(w.counted(*OF_B))
    assert table(spend, "spend")["rows"] == [
        {"member": w.commune_b.name, "orders": 3, "net": own["net"], "vat": own["vat"], "gross": own["gross"]}
    ]
    assert len(table(register, "lines")["rows"]) == w.lines_of(*OF_B) == 4
    for data in (spend, register):
        assert w.commune_a.name not in text_of(data)


def test_a_supplier_reads_only_the_orders_sent_to_it(report_world):
    w = report_world
    user = w.users["supplier_1"]
    sent = w.totals(w.counted(*SENT_TO_1))
    assert sent == {"net": "253.79", "vat": "42.06", "gross": "295.85"}

    spend = ok(run(user, "spend", group_by="member,agreement"))
    register = ok(run(user, "register"))
    savings = ok(run(user, "savings", group_by="supplier"))

    assert figures(spend) == {
        "Orders": 2,
        "Spend excl. VAT": sent["net"],
        "VAT": sent["vat"],
        "Spend incl. VAT": sent["gross"],
    }
    # its own agreement only, named by its reference (and a title)
    assert {row["agreement"].split(" — ")[0] for row in table(spend, "spend")["rows"]} == {w.agreement_1.reference}
    lines = table(register, "lines")
    assert len(lines["rows"]) == w.lines_of(*SENT_TO_1) == 4
    assert {key: lines["totals"][key] for key in sent} == sent
    assert {row["supplier"] for row in lines["rows"]} == {w.supplier_1.name}
    # the approved order not sent yet (B's 20 reams of paper) is in none of them
    assert sorted((row["member"], row["supplier_reference"], row["quantity"]) for row in lines["rows"]) == sorted(
        [
            (w.commune_a.name, "P-A4", "10.000"),
            (w.commune_a.name, "LIV-1", "3.000"),
            (w.commune_b.name, "P-A4", "5.000"),
            (w.commune_b.name, "H-1", "2.000"),
        ]
    )
    assert all(row["sent_on"] for row in lines["rows"])
    assert table(savings, "savings")["rows"] == [
        {
            "supplier": w.supplier_1.name,
            "list_value": "61.50",
            "contract": "48.82",
            "savings": "12.68",
            "rate": "20.6",
            "lines_with": 2,
            "without_list": "204.97",
            "lines_without": 2,
        }
    ]
    for data in (spend, register, savings):
        assert w.supplier_2.name not in text_of(data)


def test_a_supplier_reads_the_consumption_of_its_own_agreements_only(report_world):
    w = report_world

    consumption = ok(run(w.users["supplier_1"], "consumption", by_member="on"))

    assert [row["reference"] for row in table(consumption, "agreements")["rows"]] == [w.agreement_1.reference]
    # per member, what was sent to it
    assert sorted((row["member"], row["consumed"]) for row in table(consumption, "members")["rows"]) == sorted(
        [(w.commune_a.name, "107.52"), (w.commune_b.name, "146.27")]
    )
    assert w.agreement_2.reference not in text_of(consumption)


def test_an_observer_reads_per_member_totals_but_no_order_and_no_person(report_world):
    w = report_world
    user = w.users["observer"]

    spend = ok(run(user, "spend", group_by="member"))
    detailed = ok(run(user, "spend", group_by="member,supplier,agreement,budget_article,month"))
    savings = ok(run(user, "savings"))
    consumption = ok(run(user, "consumption"))
    annual = ok(run(user, "annual", year=YEAR))

    a, b = w.totals(w.counted(*OF_A)), w.totals(w.counted(*OF_B))
    assert sorted(table(spend, "spend")["rows"], key=lambda row: row["member"]) == sorted(
        [
            {"member": w.commune_a.name, "orders": 2, **a},
            {"member": w.commune_b.name, "orders": 3, **b},
        ],
        key=lambda row: row["member"],
    )
    assert run(user, "register").status_code == 403
    assert run(user, "statement", member=w.commune_a.pk).status_code == 403
    personal = w.personal_data()
    for data in (spend, detailed, savings, consumption, annual):
        text = text_of(data)
        leaked = [value for value in personal if value in text]
        assert leaked == [], (data["report"], leaked)
        for order in w.orders.values():
            assert order.number not in text, (data["report"], order.number)


def test_imio_reads_both_communes(report_world):
    w = report_world
    user = w.users["imio_finance"]

    spend = ok(run(user, "spend", group_by="member"))
    register = ok(run(user, "register"))
    statement_b = ok(run(user, "statement", member=w.commune_b.pk))

    assert {row["member"] for row in table(spend, "spend")["rows"]} == {w.commune_a.name, w.commune_b.name}
    lines = table(register, "lines")
    assert len(lines["rows"]) == w.lines_of(*COUNTED) == 8
    assert {row["member"] for row in lines["rows"]} == {w.commune_a.name, w.commune_b.name}
    assert {key: lines["totals"][key] for key in ("net", "vat", "gross")} == w.totals(w.counted(*COUNTED))
    # B's statement counts the order approved but not sent yet
    assert [row["number"] for row in table(statement_b, "orders")["rows"]] == sorted(
        w.orders[key].number for key in OF_B
    )
    assert figures(statement_b)["Spend excl. VAT"] == w.totals(w.counted(*OF_B))["net"] == "569.37"
