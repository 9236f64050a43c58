"""Reference data: the CPV codes, searched or browsed from the divisions down."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from procurement.core import selectors
from procurement.core.permissions import Perm
from procurement.members.forms import CpvSearchForm
from procurement.members.views.base import PAGE_SIZE


class CpvListView(PermissionRequiredMixin, ListView):
    """The divisions, or the codes matching a search."""

    permission_required = Perm.REFERENCE_VIEW
    template_name = "members/reference/cpv_list.html"
    context_object_name = "codes"
    paginate_by = PAGE_SIZE

    @cached_property
    def search_form(self):
        return CpvSearchForm(self.request.GET)

    def get_queryset(self):
        text = self.search_form.cleaned_data["q"].strip() if self.search_form.is_valid() else ""
        return selectors.search_cpv_codes(text) if text else selectors.cpv_divisions()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, search_form=self.search_form)


class CpvDetailView(PermissionRequiredMixin, TemplateView):
    """A code, the path from its division, and its children."""

    permission_required = Perm.REFERENCE_VIEW
    template_name = "members/reference/cpv_detail.html"

    def get_context_data(self, **kwargs):
        cpv_code = get_object_or_404(selectors.cpv_codes(), pk=self.kwargs["code"])
        return super().get_context_data(
            **kwargs,
            cpv_code=cpv_code,
            ancestors=selectors.cpv_ancestors(cpv_code),
            children=selectors.cpv_children(cpv_code.pk),
        )
