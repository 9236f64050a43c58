"""Every filter and ordering the API's lists offer is served by an index (issue 8).

The walk starts from the URL resolver: every route that maps ``GET`` to a viewset's ``list``.
For each list, as IMIO, a member and a supplier see it: the first field of its default order
(the view's ``ordering``, the selector's ``order_by``, the model's ``Meta.ordering``, or the
cursor pagination's), each ``ordering_fields`` entry, and each filter of its FilterSet that names
a model column. Each such column must lead an index of its model, or follow a foreign key (the
tenancy column: member, supplier…) in one, or be the primary key, a foreign key or unique.
Indexes and unique constraints with a condition do not count: they serve their condition only.
A filter that finds a text inside a column (``icontains``) is served by no B-tree: it needs a
trigram index (PostgreSQL), or a reason why a scan will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.test import APIRequestFactory, force_authenticate

from catalog import services as catalog_services
from catalog.models import ItemPrice
from procurement.core.permissions import Role
from tests.factories import person

pytestmark = pytest.mark.django_db

# The list endpoints the walk finds (``me`` answers with the user, not rows of a table).
LIST_ENDPOINTS = 18
ROW_LISTS = 17

PROJECT_APPS = {"core", "members", "orders", "tenders", "catalog", "reports"}

# Columns offered to filter or order by that are left without an index, and why.
EXCEPTIONS = {
    ("core.CpvCode", "social_services"): "reference data: 9,454 CPV codes loaded once; a scan is as fast as an index",
    ("orders.CartLine", "added_at"): "one officer's cart: its few lines come through cart_id (cart_line_item_unique)",
}

# Filters that find a text inside a column (``icontains``), and the trigram index that serves each.
PATTERN_LOOKUPS = {"contains", "icontains"}
TRIGRAM_INDEXES = {
    ("orders.Order", "number"): "order_number_trigram",  # orders 0006: a million orders at ten years
}
PATTERN_EXCEPTIONS = {
    ("members.Organization", "name"): "the members' names (memberships ?search=): 2,000 members at ten years",
    ("tenders.NeedsSurvey", "title"): "the needs surveys' titles (?search=): a few dozen a year",
}

# Lists that do not declare ``ordering_fields``: DRF then offers to order by every serializer
# field (``member_name``, amounts…). Only their default order is checked here; the views should
# declare the orderings they mean to offer, and this test will check them.
UNDECLARED_ORDERINGS: set[str] = set()

# Filters that name no column of the model (methods, annotations), per list.
NOT_COLUMNS = {
    "organization": {"member", "membership_status", "search"},  # kind IN (…), a subquery, icontains
    "user": {"search"},
    "tender": {"cpv", "search", "open_for_bids"},  # CPV prefix, icontains, (status, submission_deadline)
    "agreement": {"search"},
    "catalog-item": {"cpv", "search"},  # CPV prefix, full-text GIN (catalog/search.py)
    "cpv": {"search"},
    "audit": {"object_type"},  # content_type: audit_object_idx
    "order": {"created_from", "created_to"},  # a range on created_at: order_newest, order_member_newest
}


@dataclass
class ListEndpoint:
    basename: str
    viewset: type


@dataclass
class Offered:
    """The columns a list offers to order or filter by, each with where it comes from."""

    columns: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    patterns: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    not_columns: set[str] = field(default_factory=set)

    def add(self, model: type[models.Model], column: str, source: str) -> None:
        self.columns.setdefault((model._meta.label, column), set()).add(source)


def list_endpoints() -> list[ListEndpoint]:
    """Every viewset route of the URL configuration whose GET is ``list``, once per viewset."""
    found: dict[type, ListEndpoint] = {}

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
                continue
            assert isinstance(pattern, URLPattern)
            callback = pattern.callback
            if getattr(callback, "actions", {}).get("get") == "list" and callback.cls not in found:
                found[callback.cls] = ListEndpoint(callback.initkwargs["basename"], callback.cls)

    walk(get_resolver().url_patterns)
    return list(found.values())


def column_of(model: type[models.Model], path: str) -> tuple[type[models.Model], str] | None:
    """The model and the column a lookup path ends on (``member__kind``: Organization.kind), if any."""
    *relations, last = path.split("__")
    try:
        for name in relations:
            model = model._meta.get_field(name).related_model
            if model is None:
                return None
        found = model._meta.pk if last == "pk" else model._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    return (model, found.name) if found.concrete else None


def indexed_prefixes(model: type[models.Model]) -> list[tuple[str, ...]]:
    """The column lists of the model's unconditional indexes and unique constraints, by field name."""
    name = {f.name: f.name for f in model._meta.concrete_fields} | {
        f.attname: f.name for f in model._meta.concrete_fields
    }
    prefixes = [(f.name,) for f in model._meta.concrete_fields if f.primary_key or f.unique or f.db_index]
    for index in model._meta.indexes:
        if index.condition is None and index.fields:
            prefixes.append(tuple(name[f.removeprefix("-")] for f in index.fields))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields:
            prefixes.append(tuple(name[f] for f in constraint.fields))
    prefixes.extend(tuple(name[f] for f in fields) for fields in model._meta.unique_together)
    return prefixes


def is_indexed(model: type[models.Model], column: str) -> bool:
    """``column`` leads an index, or follows a foreign key (a tenancy column) in one."""
    for columns in indexed_prefixes(model):
        if columns[0] == column:
            return True
        if len(columns) > 1 and columns[1] == column and model._meta.get_field(columns[0]).many_to_one:
            return True
    return False


def view_for(endpoint: ListEndpoint, user):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=user)
    view = endpoint.viewset(action_map={"get": "list"}, basename=endpoint.basename, detail=False)
    view.action = "list"
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    view.request = view.initialize_request(request)
    view.headers = {}
    return view


def default_ordering(view) -> list[str]:
    queryset = view.get_queryset()
    if isinstance(view.paginator, CursorPagination):
        return list(view.paginator.get_ordering(view.request, queryset, view))
    query = view.filter_queryset(queryset).query
    if query.order_by:
        return list(query.order_by)
    return list(queryset.model._meta.ordering) if query.default_ordering else []


def offered_by(endpoint: ListEndpoint, viewers) -> Offered:
    offered = Offered()
    view = view_for(endpoint, viewers[0])
    model = view.get_queryset().model
    backends = view.filter_backends

    for viewer in viewers:
        ordering = default_ordering(view_for(endpoint, viewer))
        assert ordering, f"{endpoint.basename}: no default order (pages would come in no fixed order)"
        found = column_of(model, ordering[0].removeprefix("-"))
        assert found is not None, f"{endpoint.basename}: default order {ordering} names no column"
        offered.add(*found, "default ordering")

    if any(issubclass(backend, OrderingFilter) for backend in backends):
        ordering_fields = getattr(view, "ordering_fields", None)
        if ordering_fields is None:
            assert endpoint.basename in UNDECLARED_ORDERINGS, (
                f"{endpoint.basename}: declare ordering_fields (DRF otherwise offers every serializer field)"
            )
        else:
            assert endpoint.basename not in UNDECLARED_ORDERINGS, (
                f"{endpoint.basename} declares ordering_fields now: remove it from UNDECLARED_ORDERINGS"
            )
            assert ordering_fields != "__all__", f"{endpoint.basename}: ordering by every column cannot be indexed"
            for entry in ordering_fields:
                name = entry if isinstance(entry, str) else entry[0]
                found = column_of(model, name)
                assert found is not None, f"{endpoint.basename}: ordering field {name} names no column"
                offered.add(*found, f"ordering={name}")

    for backend in (backend for backend in backends if issubclass(backend, DjangoFilterBackend)):
        filterset_class = backend().get_filterset_class(view, view.get_queryset())
        for name, filter_ in (filterset_class.base_filters if filterset_class else {}).items():
            found = column_of(model, filter_.field_name)
            if found is None:
                offered.not_columns.add(name)
            elif filter_.lookup_expr in PATTERN_LOOKUPS:
                offered.patterns.setdefault((found[0]._meta.label, found[1]), set()).add(f"filter {name}")
            else:
                offered.add(*found, f"filter {name}")
    return offered


@pytest.fixture
def viewers(imio, commune, supplier_org):
    return [
        person(imio, Role.ADMIN, Role.BUYER, username="imio-staff"),
        person(commune, Role.MEMBER_ADMIN, Role.MEMBER_OFFICER, Role.MEMBER_APPROVER, username="commune-staff"),
        person(supplier_org, Role.SUPPLIER, username="supplier-staff"),
    ]


def test_list_walk_finds_every_list_endpoint():
    endpoints = list_endpoints()

    assert len(endpoints) == LIST_ENDPOINTS
    assert len([e for e in endpoints if issubclass(e.viewset, GenericAPIView)]) == ROW_LISTS
    assert {"order", "catalog-item", "audit", "cpv", "user"} <= {e.basename for e in endpoints}


def test_every_offered_ordering_and_filter_is_indexed(viewers):
    missing, used_exceptions, not_columns, patterns = [], set(), {}, set()
    for endpoint in list_endpoints():
        if not issubclass(endpoint.viewset, GenericAPIView):
            continue
        offered = offered_by(endpoint, viewers)
        if offered.not_columns:
            not_columns[endpoint.basename] = offered.not_columns
        patterns |= set(offered.patterns)
        for (label, column), sources in sorted(offered.columns.items()):
            if (label, column) in EXCEPTIONS:
                used_exceptions.add((label, column))
            elif not is_indexed(apps.get_model(label), column):
                missing.append(f"{endpoint.basename}: {label}.{column} ({', '.join(sorted(sources))})")

    assert not missing, "no index serves:\n" + "\n".join(missing)
    assert used_exceptions == set(EXCEPTIONS), "an exception no list needs any more: remove it"
    assert not_columns == NOT_COLUMNS
    # every pattern filter has its trigram index (checked below, on PostgreSQL) or its reason
    assert patterns == set(TRIGRAM_INDEXES) | set(PATTERN_EXCEPTIONS)
    assert not set(TRIGRAM_INDEXES) & set(PATTERN_EXCEPTIONS)


def test_no_index_is_a_prefix_of_another():
    """An index whose columns (and directions) begin another index or unique constraint is redundant."""
    redundant = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        indexes = [
            (index.name, tuple(index.fields))
            for index in model._meta.indexes
            if index.fields and index.condition is None
        ]
        longer = indexes + [
            (constraint.name, tuple(constraint.fields))
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None
        ]
        for name, columns in indexes:
            for other, other_columns in longer:
                if other != name and other_columns[: len(columns)] == columns:
                    redundant.append(f"{model._meta.label}: {name} begins {other}")

    assert not redundant, "\n".join(redundant)


@pytest.mark.postgres
def test_due_prices_check_reads_the_pending_prices_index():
    """``apply_due_prices`` runs on every catalogue request: its check must be an index probe."""
    with CaptureQueriesContext(connection) as queries:
        catalog_services.apply_due_prices()
    (check,) = [q["sql"] for q in queries.captured_queries if ItemPrice._meta.db_table in q["sql"]]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # whether the index can serve, not whether it pays yet
        cursor.execute(f"EXPLAIN {check}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "catalog_price_pending" in plan, plan


@pytest.mark.postgres
@pytest.mark.parametrize(("column", "index"), sorted(TRIGRAM_INDEXES.items()))
def test_pattern_filters_read_their_trigram_index(column, index):
    """The filter's own SQL (``UPPER(col::text) LIKE UPPER('%…%')``) can be answered by the index."""
    label, name = column
    model = apps.get_model(label)
    sql, params = model.objects.filter(**{f"{name}__icontains": "2026-0157"}).values("pk").query.sql_with_params()

    with connection.cursor() as cursor:
        # Whether the index can serve, not whether it pays yet on an empty table: every other
        # way of reading the table is priced out (a B-tree walked in the list's order would
        # only filter, as a scan does); a bitmap scan needs an index that answers the pattern.
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"Bitmap Index Scan on {index}" in plan, plan
