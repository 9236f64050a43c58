from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.ReportIndexView.as_view(), name="reports"),
    path("reports/exports/<uuid:pk>/", views.ExportDetailView.as_view(), name="report_export"),
    path("reports/exports/<uuid:pk>/download/", views.ExportDownloadView.as_view(), name="report_export_download"),
    path("reports/<slug:identifier>/", views.ReportPageView.as_view(), name="report"),
    path("reports/<slug:identifier>/download/", views.ReportDownloadView.as_view(), name="report_download"),
]
