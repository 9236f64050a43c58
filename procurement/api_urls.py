"""REST API v1 (see API.md for the names outside programs rely on)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.routers import DefaultRouter

from catalog.api.views import CatalogItemViewSet, PriceListImportViewSet, PriceRevisionViewSet
from procurement.core.api.permissions import AUTHENTICATED
from procurement.core.api.views import AuditEntryViewSet, CpvCodeViewSet
from procurement.members.api.views import (
    MembershipViewSet,
    MeViewSet,
    OrganizationViewSet,
    PersonViewSet,
    TokenView,
)
from procurement.orders.api.views import (
    ApprovalChainView,
    CallOffViewSet,
    CartViewSet,
    CompetitionViewSet,
    OrderViewSet,
    SubscriptionViewSet,
)
from reports.api.ocds import RecordPackageView, ReleasePackageView
from reports.api.views import ReportExportDownloadView, ReportExportView, ReportListView, ReportView
from tenders.api.views import AgreementViewSet, BidViewSet, SurveyViewSet, TenderViewSet

app_name = "api"


class APIRootView(routers.APIRootView):
    permission_map = {"get": AUTHENTICATED}


class Router(DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("me", MeViewSet, basename="me")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("users", PersonViewSet, basename="user")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("catalog/items", CatalogItemViewSet, basename="catalog-item")
router.register("catalog/imports", PriceListImportViewSet, basename="catalog-import")
router.register("catalog/revisions", PriceRevisionViewSet, basename="catalog-revision")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("cart", CartViewSet, basename="cart")
router.register("orders", OrderViewSet, basename="order")
router.register("call-offs", CallOffViewSet, basename="call-off")
router.register("competitions", CompetitionViewSet, basename="competition")
router.register("cpv", CpvCodeViewSet, basename="cpv")
router.register("audit", AuditEntryViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("approval-chain/", ApprovalChainView.as_view(), name="approval-chain"),
    path("reports/", ReportListView.as_view(), name="reports"),
    path("reports/exports/<uuid:pk>/", ReportExportView.as_view(), name="report-export"),
    path("reports/exports/<uuid:pk>/download/", ReportExportDownloadView.as_view(), name="report-export-download"),
    path("reports/<slug:identifier>/", ReportView.as_view(), name="report"),
    path("ocds/releases/", ReleasePackageView.as_view(), name="ocds-releases"),
    path("ocds/records/", RecordPackageView.as_view(), name="ocds-records"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
