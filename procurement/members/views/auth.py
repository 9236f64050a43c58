"""Signing in and out, password reset, accepting an invitation, switching organisation."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from procurement.members import services
from procurement.members.forms import PasswordResetForm, SwitchOrganizationForm


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link of an invitation e-mail: the newcomer chooses a password, then signs in."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    title = _("Choose your password")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You can now sign in."))
        return response


class SwitchOrganizationView(LoginRequiredMixin, View):
    """Act for another of one's organisations; every page follows it from then on."""

    http_method_names = ["post"]

    def post(self, request):
        form = SwitchOrganizationForm(request.POST, organizations=request.user.acting.organizations)
        if not form.is_valid():
            messages.error(request, _("You hold no role in this organisation."))
            return redirect("dashboard")
        organization = form.chosen()
        services.user_switch_organization(user=request.user, organization=organization)
        messages.success(request, _("You are now acting for %(organization)s.") % {"organization": organization})
        return redirect("dashboard")
