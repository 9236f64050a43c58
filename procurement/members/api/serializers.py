"""Serializers of the members API. They shape data; services decide."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement.core.permissions import Role
from procurement.members import selectors
from procurement.members.models import Membership, MembershipStatus, Organization, RoleAssignment, User
from procurement.members.services import MEMBERSHIP_STATES


class OrganizationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class OrganizationSerializer(serializers.ModelSerializer):
    enterprise_number = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="0123.456.789 (dots, spaces and BE prefix accepted)",
    )
    iban = serializers.CharField(required=False, allow_blank=True, max_length=42)
    membership_status = serializers.ChoiceField(
        choices=MembershipStatus.choices, read_only=True, allow_null=True, help_text="Status of the open membership."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "name",
            "enterprise_number",
            "foreign_vat_number",
            "nis_code",
            "street",
            "postcode",
            "city",
            "country",
            "email",
            "phone",
            "website",
            "iban",
            "is_active",
            "membership_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, organization):
        data = super().to_representation(organization)
        data["enterprise_number"] = organization.enterprise_number_display or None
        data["iban"] = organization.iban_display
        data["membership_status"] = getattr(organization, "membership_status", None)
        return data


class RoleSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["organization", "organization_name", "role", "role_label"]


class MeSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField(help_text="The organisation the user acts for.")
    organizations = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField(help_text="Roles held in the active organisation.")
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "organization",
            "organizations",
            "roles",
            "permissions",
        ]

    @extend_schema_field(OrganizationSummarySerializer(allow_null=True))
    def get_organization(self, user):
        organization = user.acting.organization
        return OrganizationSummarySerializer(organization).data if organization else None

    @extend_schema_field(RoleSerializer(many=True))
    def get_organizations(self, user):
        assignments = user.role_assignments.select_related("organization").filter(organization__is_active=True)
        by_organization: dict[int, dict] = {}
        for assignment in assignments.order_by("organization__name", "role"):
            entry = by_organization.setdefault(
                assignment.organization_id,
                {**OrganizationSummarySerializer(assignment.organization).data, "roles": []},
            )
            entry["roles"].append(assignment.role)
        return list(by_organization.values())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_roles(self, user):
        return sorted(user.acting.roles)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, user):
        return sorted(user.acting.permissions)


class SwitchSerializer(serializers.Serializer):
    organization = serializers.IntegerField()


class MembershipSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    document = serializers.FileField(required=False, write_only=True, help_text="The signed agreement, PDF.")
    document_url = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "member",
            "member_name",
            "status",
            "requested_at",
            "requested_by",
            "decision_date",
            "decision_reference",
            "document",
            "document_url",
            "document_sha256",
            "activated_at",
            "status_changed_at",
            "status_reason",
            "allowed_transitions",
        ]
        read_only_fields = [
            "status",
            "requested_at",
            "document_sha256",
            "activated_at",
            "status_changed_at",
            "status_reason",
        ]
        extra_kwargs = {"member": {"required": False}}
        validators = []  # uniqueness of the open membership is the service's rule (a 409, not a 400)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only organisations the user can see; another one is "not found", never revealed.
            self.fields["member"].queryset = selectors.organizations_for(request.user)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document_url(self, membership):
        if not membership.document:
            return None
        url = reverse("api:membership-document", kwargs={"pk": membership.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=MembershipStatus.choices)))
    def get_allowed_transitions(self, membership):
        return sorted(MEMBERSHIP_STATES.allowed(membership.status))


class MembershipDecisionSerializer(serializers.Serializer):
    decision_date = serializers.DateField(required=False)
    decision_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    document = serializers.FileField(required=False, help_text="The signed agreement, PDF.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class DocumentSerializer(serializers.Serializer):
    document = serializers.FileField(help_text="The signed agreement, PDF.")


class PersonSerializer(serializers.ModelSerializer):
    roles = RoleSerializer(source="role_assignments", many=True, read_only=True)
    invitation_pending = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "invitation_pending", "roles"]


class InvitationSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    username = serializers.CharField(required=False, allow_blank=True, max_length=150)
    roles = serializers.ListField(child=serializers.CharField(), min_length=1)
    organization = serializers.IntegerField(
        required=False, help_text="Defaults to the active organisation (IMIO administrators may name another)."
    )


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.CharField()
    organization = serializers.IntegerField(
        required=False, help_text="Defaults to the active organisation (IMIO administrators may name another)."
    )


class OrganizationChoiceSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, help_text="Defaults to the active organisation (IMIO administrators may name another)."
    )
