from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("procurement.api_urls")),
    path("", include("procurement.members.urls")),
    path("", include("tenders.urls")),
    path("", include("catalog.urls")),
    path("", include("procurement.orders.urls")),
    path("", include("reports.urls")),
    path("public/", include("reports.portal.urls")),
]
