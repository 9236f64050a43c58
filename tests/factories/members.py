import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from procurement.core.models import Municipality
from procurement.members.demo import demo_enterprise_number as enterprise_number
from procurement.members.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    RoleAssignment,
    User,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_file(name: str = "convention.pdf") -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A commune with its real NIS code (taken in turn from the reference table)."""

    class Meta:
        model = Organization

    kind = OrganizationKind.COMMUNE
    enterprise_number = factory.Sequence(lambda n: enterprise_number(900_000 + n))
    city = factory.LazyAttribute(lambda o: o.name.split(" de ")[-1])
    country = "BE"

    @factory.lazy_attribute_sequence
    def nis_code(self, n):
        if self.kind not in (OrganizationKind.COMMUNE, OrganizationKind.CPAS):
            return ""
        codes = list(Municipality.objects.order_by("nis_code").values_list("nis_code", flat=True))
        return codes[n % len(codes)]

    @factory.lazy_attribute_sequence
    def name(self, n):
        if self.nis_code:
            municipality = Municipality.objects.get(nis_code=self.nis_code)
            prefix = "CPAS" if self.kind == OrganizationKind.CPAS else "Commune"
            return f"{prefix} de {municipality.name_fr}"
        return f"{OrganizationKind(self.kind).label} {n}"


class SupplierFactory(OrganizationFactory):
    kind = OrganizationKind.SUPPLIER
    nis_code = ""
    name = factory.Sequence(lambda n: f"Fournisseur {n} SA")
    city = "Namur"


def central_purchasing_body() -> Organization:
    organization = Organization.objects.filter(kind=OrganizationKind.CENTRAL_PURCHASING_BODY).first()
    return organization or OrganizationFactory(
        kind=OrganizationKind.CENTRAL_PURCHASING_BODY, name="IMIO", nis_code="", city="Gembloux"
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-password")

    @factory.post_generation
    def finish(self, create, extracted, **kwargs):
        if create:
            self.save()


def person(organization: Organization, *roles: str, **fields) -> User:
    """A user holding ``roles`` in ``organization``, acting for it."""
    user = UserFactory(active_organization=organization, **fields)
    for role in roles:
        RoleAssignment.objects.create(user=user, organization=organization, role=role)
    if "admin" in roles:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership in any state, written directly (for reads); transitions are tested through services."""

    class Meta:
        model = Membership

    member = factory.SubFactory(OrganizationFactory)
    status = MembershipStatus.ACTIVE
    decision_date = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    decision_reference = factory.Sequence(lambda n: f"CC-2026-{n:03d}")
    document = factory.LazyFunction(pdf_file)
    document_sha256 = "0" * 64
    activated_at = factory.LazyFunction(timezone.now)
