import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.core.models import AuditEntry
from procurement.members.models import Organization, OrganizationKind
from procurement.members.services import editable_fields, organization_create, organization_update
from tests.factories import enterprise_number


@pytest.mark.django_db
def test_imio_admin_registers_a_commune_with_normalised_identifiers(imio_admin):
    number = enterprise_number(5)
    commune = organization_create(
        actor=imio_admin,
        kind=OrganizationKind.COMMUNE,
        name="Ville de Namur",
        enterprise_number=f"BE {number[:4]}.{number[4:7]}.{number[7:]}",
        nis_code=" 92094",
        city="Namur",
    )
    assert commune.enterprise_number == number
    assert commune.enterprise_number_display == f"{number[:4]}.{number[4:7]}.{number[7:]}"
    assert commune.nis_code == "92094"
    entry = AuditEntry.objects.get(action="organization.created")
    assert entry.actor == imio_admin
    assert entry.after["nis_code"] == "92094"
    assert list(entry.scopes.values_list("organization_id", flat=True)) == [commune.pk]


@pytest.mark.django_db
def test_identifiers_are_checked_against_the_kind(imio_admin):
    with pytest.raises(ValidationError) as error:
        organization_create(
            actor=imio_admin,
            kind=OrganizationKind.COMMUNE,
            name="Nowhere",
            enterprise_number="0403.019.262",
            nis_code="99999",
            iban="BE71096123456769",
        )
    assert set(error.value.message_dict) == {"enterprise_number", "nis_code", "iban"}
    assert "check digits" in error.value.message_dict["enterprise_number"][0]
    assert "99999 is not the NIS code of a Walloon commune." in error.value.message_dict["nis_code"]
    assert Organization.objects.count() == 1  # only IMIO, from the imio_admin fixture
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_commune_needs_its_nis_code_and_a_public_body_its_enterprise_number(imio_admin):
    with pytest.raises(ValidationError) as error:
        organization_create(actor=imio_admin, kind=OrganizationKind.COMMUNE, name="Sans numéro")
    assert set(error.value.message_dict) == {"enterprise_number", "nis_code"}


@pytest.mark.django_db
def test_a_supplier_may_be_foreign_with_an_eu_vat_number(imio_admin):
    supplier = organization_create(
        actor=imio_admin,
        kind=OrganizationKind.SUPPLIER,
        name="Fournitures Europe SAS",
        foreign_vat_number="FR 40 303 265 045",
        iban="FR14 2004 1010 0505 0001 3M02 606",
        country="fr",
    )
    assert supplier.enterprise_number is None
    assert supplier.foreign_vat_number == "FR40303265045"
    assert supplier.iban == "FR1420041010050500013M02606"
    assert supplier.country == "FR"


@pytest.mark.django_db
def test_duplicate_enterprise_number_is_refused_whatever_its_spelling(imio_admin, commune):
    dotted = f"{commune.enterprise_number[:4]}.{commune.enterprise_number[4:7]}.{commune.enterprise_number[7:]}"
    with pytest.raises(ValidationError) as error:
        organization_create(actor=imio_admin, kind=OrganizationKind.SUPPLIER, name="Copy", enterprise_number=dotted)
    assert "enterprise_number" in error.value.message_dict


@pytest.mark.django_db
def test_there_is_one_central_purchasing_body(imio_admin):
    with pytest.raises(ValidationError):
        organization_create(
            actor=imio_admin,
            kind=OrganizationKind.CENTRAL_PURCHASING_BODY,
            name="IMIO bis",
            enterprise_number=enterprise_number(77),
        )


@pytest.mark.django_db
def test_member_officer_cannot_register_organisations(officer):
    with pytest.raises(PermissionDenied):
        organization_create(
            actor=officer, kind=OrganizationKind.SUPPLIER, name="X", enterprise_number=enterprise_number(3)
        )
    assert not Organization.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_member_admin_edits_only_its_own_contact_details(member_admin, commune, other_commune):
    assert editable_fields(actor=member_admin, organization=commune) == {
        "street",
        "postcode",
        "city",
        "email",
        "phone",
        "website",
        "iban",
    }
    assert editable_fields(actor=member_admin, organization=other_commune) == frozenset()
    organization_update(actor=member_admin, organization=commune, phone="+32 81 24 60 00", city=commune.city)
    commune.refresh_from_db()
    assert commune.phone == "+32 81 24 60 00"
    entry = AuditEntry.objects.get(action="organization.updated")
    assert entry.before == {"phone": ""}
    assert entry.after == {"phone": "+32 81 24 60 00"}


@pytest.mark.django_db
def test_member_admin_cannot_change_identity_or_another_member(member_admin, commune, other_commune):
    name = commune.name
    with pytest.raises(PermissionDenied, match="kind, name"):
        organization_update(actor=member_admin, organization=commune, name="Renamed", kind=OrganizationKind.SUPPLIER)
    with pytest.raises(PermissionDenied):
        organization_update(actor=member_admin, organization=other_commune, phone="1")
    commune.refresh_from_db()
    other_commune.refresh_from_db()
    assert commune.name == name
    assert other_commune.phone == ""
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_update_without_change_writes_no_audit(imio_admin, commune):
    organization_update(actor=imio_admin, organization=commune, name=commune.name)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_invalid_update_changes_nothing(imio_admin, commune):
    with pytest.raises(ValidationError):
        organization_update(actor=imio_admin, organization=commune, email="not-an-email", nis_code="12")
    commune.refresh_from_db()
    assert commune.email == ""
    assert not AuditEntry.objects.exists()
