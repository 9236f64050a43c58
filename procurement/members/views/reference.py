"""Reference data: the CPV codes, searched or browsed from the divisions down."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from procurement.core.api.views import CpvCodeFilter
from procurement.core.models import CpvLevel
from procurement.core.permissions import Perm
from procurement.members.forms import CpvSearchForm
from procurement.members.views.base import PAGE_SIZE

# Until the kernel has CPV selectors, the API's filter (its documented search) reads the table.


def cpv_codes(**criteria):
    return CpvCodeFilter(criteria).qs


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
        return cpv_codes(search=text) if text else cpv_codes(level=CpvLevel.DIVISION)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, search_form=self.search_form)


class CpvDetailView(PermissionRequiredMixin, TemplateView):
    """A code, the path from its division, and its children."""

    permission_required = Perm.REFERENCE_VIEW
    template_name = "members/reference/cpv_detail.html"

    def get_context_data(self, **kwargs):
        cpv_code = get_object_or_404(cpv_codes(), pk=self.kwargs["code"])
        ancestors = []
        parent = cpv_code.parent
        while parent is not None:
            ancestors.insert(0, parent)
            parent = parent.parent
        return super().get_context_data(
            **kwargs, cpv_code=cpv_code, ancestors=ancestors, children=cpv_codes(parent=cpv_code.pk)
        )
