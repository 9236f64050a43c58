"""The project's WSGI application plus two floors, for ``bench/load.py`` only (never deployed).

Served by gunicorn as a top-level module (``--pythonpath bench floors_app:application``), so
that importing it does not import the ``bench`` package (which sets Django up itself):

- ``/bench/floor/plain/``: a plain Django view returning a small JSON document — what any
  request costs through the same middleware, with no query;
- ``/bench/floor/orders/`` and ``/bench/floor/search/``: hand-written views that authenticate
  the token like DRF, run the same tenant-filtered queries as the API (the same selectors, the
  same search; the count API.md asks of a list, up to 10,000 orders and 1,000 catalogue
  lines, as the API counts them) and return the count and the first page's ``.values()``
  (the columns the API's list serializer reads) as JSON — the fair floor of a list;
- ``…?count=0`` on either: the same without the count, for the record.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponseForbidden, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from catalog import search  # noqa: E402
from catalog import selectors as catalog_selectors  # noqa: E402
from catalog.api.views import CatalogItemViewSet  # noqa: E402
from procurement.core.pagination import DEFAULT_CAP, CountCappedPaginator  # noqa: E402
from procurement.orders import selectors as order_selectors  # noqa: E402
from procurement.orders.api.views import OrderViewSet  # noqa: E402

PAGE = 50
CAP = DEFAULT_CAP  # the catalogue counts up to there
ORDERS_CAP = CountCappedPaginator.cap
# The columns the API's lists read (their serializers' fields), so that the floors read the same rows.
ORDER_FIELDS = OrderViewSet.list_rows.lookups
ITEM_FIELDS = CatalogItemViewSet.list_rows.lookups


def token_user(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Token "):
        return None
    token = Token.objects.select_related("user").filter(key=header[6:]).first()
    return token.user if token is not None and token.user.is_active else None


def plain(request):
    return JsonResponse({"status": "ok", "service": "procurement", "items": [1, 2, 3]})


def counted(request) -> bool:
    return request.GET.get("count") != "0"


def orders(request):
    user = token_user(request)
    if user is None:
        return HttpResponseForbidden()
    found = order_selectors.orders_for(user)
    rows = found.order_by("-created_at", "-id").values(*ORDER_FIELDS)[:PAGE]
    # up to 10,000, as the API counts orders
    count = found.select_related(None).order_by()[: ORDERS_CAP + 1].count() if counted(request) else None
    return JsonResponse({"count": count, "results": list(rows)})


def items(request):
    user = token_user(request)
    if user is None:
        return HttpResponseForbidden()
    found = search.matching(catalog_selectors.items_for(user), request.GET.get("search", ""), "fr")
    # up to the cap, as the API counts: the first CAP + 1 matches, in the planner's order
    count = found.select_related(None).order_by()[: CAP + 1].count() if counted(request) else None
    # newest first, walking the primary key: the least work for a first page of many matches
    rows = search.walk(found.order_by(*search.NEWEST_FIRST)).values(*ITEM_FIELDS)[:PAGE]
    return JsonResponse({"count": count, "results": list(rows)})


floors = [
    path("bench/floor/plain/", plain),
    path("bench/floor/orders/", orders),
    path("bench/floor/search/", items),
]
urlpatterns = [*floors, path("", include(settings.ROOT_URLCONF))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
