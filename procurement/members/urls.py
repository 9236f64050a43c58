from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="dashboard"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        TemplateView.as_view(template_name="base.html"),
        name="invitation_accept",
    ),
]
