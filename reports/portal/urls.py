from django.urls import path

from reports.portal import downloads, feeds, views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tenders/", views.TenderListView.as_view(), name="tenders"),
    path("tenders/<int:pk>/", views.TenderDetailView.as_view(), name="tender"),
    path("tenders/<int:pk>/documents/<int:document_pk>/", downloads.DocumentView.as_view(), name="document"),
    path("tenders/<int:pk>/ocds.json", downloads.TenderOcdsView.as_view(), name="tender_ocds"),
    path("agreements/", views.AgreementListView.as_view(), name="agreements"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement"),
    path("open-data/", views.OpenDataView.as_view(), name="open_data"),
    path("tenders.atom", feeds.TenderFeed(), name="feed"),
]
