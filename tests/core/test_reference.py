import pytest
from django.core.management import call_command
from django.utils import translation

from procurement.core.models import CpvCode, CpvLevel, Municipality
from procurement.core.reference import cpv_level, cpv_parent


def test_cpv_level_counts_significant_digits():
    assert cpv_level("03000000-1") == CpvLevel.DIVISION
    assert cpv_level("30190000-7") == CpvLevel.CLASS
    assert cpv_level("30192100-2") == CpvLevel.SUBCATEGORY_1
    assert cpv_level("30192121-5") == CpvLevel.SUBCATEGORY_3


def test_cpv_parent_skips_missing_levels():
    known = {"30000000", "30190000"}
    assert cpv_parent("30192000-1", known) == "30190000"
    assert cpv_parent("30100000-0", known) == "30000000"
    assert cpv_parent("30000000-9", known) is None


@pytest.mark.django_db
def test_the_whole_cpv_2008_is_loaded_with_four_languages_and_its_tree():
    assert CpvCode.objects.count() == 9454
    assert CpvCode.objects.filter(level=CpvLevel.DIVISION).count() == 45
    assert not CpvCode.objects.filter(parent__isnull=True).exclude(level=CpvLevel.DIVISION).exists()
    erasers = CpvCode.objects.select_related("parent__parent").get(code="30192100-2")
    assert (erasers.label_fr, erasers.label_nl, erasers.label_de, erasers.label_en) == (
        "Effaceurs",
        "Vlakgommen",
        "Radiergummis",
        "Erasers",
    )
    assert erasers.parent.code == "30192000-1"
    assert erasers.parent.parent.code == "30190000-7"
    assert CpvCode.objects.filter(social_services=True).count() == 115


@pytest.mark.django_db
def test_cpv_label_follows_the_active_language():
    code = CpvCode.objects.get(code="30192100-2")
    with translation.override("nl"):
        assert code.label == "Vlakgommen"
    with translation.override("fr"):
        assert code.label == "Effaceurs"


@pytest.mark.django_db
def test_walloon_communes_are_loaded_with_2025_mergers():
    assert Municipality.objects.count() == 261
    assert Municipality.objects.get(nis_code="92094").name_fr == "Namur"
    assert Municipality.objects.get(nis_code="82039").name_fr == "Bastogne"
    assert not Municipality.objects.filter(nis_code__in=["82003", "82005"]).exists()


@pytest.mark.django_db
def test_reloading_reference_data_changes_nothing(capsys):
    before = (CpvCode.objects.count(), Municipality.objects.count())
    call_command("load_reference_data")
    assert (CpvCode.objects.count(), Municipality.objects.count()) == before
    assert "9454 CPV codes, 261 municipalities" in capsys.readouterr().out
