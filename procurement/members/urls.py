"""Pages of the web interface. Paths are in English; the pages speak the person's language."""

from django.contrib.auth import views as auth_views
from django.urls import path

from procurement.members.views import audit, auth, dashboard, memberships, organizations, people, reference

account_patterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/invitation/<uidb64>/<token>/", auth.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("accounts/switch/", auth.SwitchOrganizationView.as_view(), name="switch_organization"),
]

organization_patterns = [
    path("organizations/", organizations.OrganizationListView.as_view(), name="organizations"),
    path("organizations/new/", organizations.OrganizationCreateView.as_view(), name="organization_create"),
    path("organizations/<int:pk>/", organizations.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", organizations.OrganizationUpdateView.as_view(), name="organization_update"),
    path(
        "organizations/<int:pk>/membership/request/",
        memberships.MembershipRequestView.as_view(),
        name="organization_membership_request",
    ),
    path("organizations/<int:pk>/invite/", people.InvitationView.as_view(), name="organization_invite"),
]

membership_patterns = [
    path("memberships/", memberships.MembershipListView.as_view(), name="memberships"),
    path("memberships/request/", memberships.MembershipRequestView.as_view(), name="membership_request"),
    path("memberships/<int:pk>/", memberships.MembershipDetailView.as_view(), name="membership_detail"),
    path("memberships/<int:pk>/document/", memberships.MembershipDocumentView.as_view(), name="membership_document"),
    path(
        "memberships/<int:pk>/document/attach/",
        memberships.MembershipAttachDocumentView.as_view(),
        name="membership_document_attach",
    ),
    path("memberships/<int:pk>/activate/", memberships.MembershipActivateView.as_view(), name="membership_activate"),
    path("memberships/<int:pk>/suspend/", memberships.MembershipSuspendView.as_view(), name="membership_suspend"),
    path("memberships/<int:pk>/terminate/", memberships.MembershipTerminateView.as_view(), name="membership_terminate"),
]

people_patterns = [
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/invite/", people.InvitationView.as_view(), name="person_invite"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path(
        "people/<int:pk>/organizations/<int:organization_pk>/roles/",
        people.PersonRolesView.as_view(),
        name="person_roles",
    ),
    path(
        "people/<int:pk>/organizations/<int:organization_pk>/remove/",
        people.PersonRemoveView.as_view(),
        name="person_remove",
    ),
    path(
        "people/<int:pk>/organizations/<int:organization_pk>/resend-invitation/",
        people.PersonResendInvitationView.as_view(),
        name="person_resend_invitation",
    ),
]

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    *account_patterns,
    *organization_patterns,
    *membership_patterns,
    *people_patterns,
    path("audit/", audit.AuditListView.as_view(), name="audit"),
    path("cpv/", reference.CpvListView.as_view(), name="cpv"),
    path("cpv/<str:code>/", reference.CpvDetailView.as_view(), name="cpv_detail"),
]
