"""``ManyOptionsSelect``: the HTML of Django's ``Select``, written without a template per option."""

from __future__ import annotations

import re

import pytest
from django import forms

from procurement.members.forms import ManyOptionsSelect
from procurement.members.models import Organization
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def normalised(html: str) -> str:
    """The markup with the whitespace between tags taken out (Django's templates put line breaks there)."""
    return re.sub(r">\s+<", "><", html.strip())


def form_class(widget, *, required: bool):
    class OrganizationForm(forms.Form):
        member = forms.ModelChoiceField(
            queryset=Organization.objects.order_by("name"),
            required=required,
            empty_label="Tous <les> membres",
            widget=widget,
        )

    return OrganizationForm


@pytest.fixture
def organizations():
    return [
        SupplierFactory(name='Bureau & Co "Namur"'),
        SupplierFactory(name="<script>alert(1)</script> SPRL"),
        SupplierFactory(name="Économat d'Andenne"),
    ]


@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize("chosen", [None, 1])
def test_it_writes_what_djangos_select_writes(organizations, required, chosen):
    data = {"member": str(organizations[chosen].pk)} if chosen is not None else {}
    django_select = form_class(forms.Select, required=required)(data or None)
    ours = form_class(ManyOptionsSelect, required=required)(data or None)

    expected = normalised(str(django_select["member"]))
    assert normalised(str(ours["member"])) == expected
    # the same thing checked for itself: escaped labels, the chosen one selected, the empty choice first
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SPRL" in expected
    assert "Bureau &amp; Co &quot;Namur&quot;" in expected
    opening = expected.split(">", 1)[0]
    assert opening.startswith('<select name="member"')
    assert ('id="id_member"' in opening, " required" in opening) == (True, required)
    selected = "" if chosen is None else str(organizations[chosen].pk)  # nothing chosen: the empty choice
    assert expected.count(" selected") == 1
    assert f'<option value="{selected}" selected>' in expected
    assert ">Tous &lt;les&gt; membres</option>" in expected


def test_a_choice_field_keeps_its_values_as_text():
    class StatusForm(forms.Form):
        status = forms.ChoiceField(choices=[("", "Tous"), ("draft", "Brouillon"), (3, "Trois")], required=False)

    django_select = StatusForm({"status": "3"})
    ours = StatusForm({"status": "3"})
    ours.fields["status"].widget = ManyOptionsSelect(choices=ours.fields["status"].choices)

    assert normalised(str(ours["status"])) == normalised(str(django_select["status"]))
    assert '<option value="3" selected>Trois</option>' in str(ours["status"])
