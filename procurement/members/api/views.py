"""API of organisations, people and memberships. Thin: selectors read, services write."""

import django_filters
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from procurement.core.api.permissions import AUTHENTICATED
from procurement.core.permissions import Perm
from procurement.members import selectors, services
from procurement.members.api import serializers as s
from procurement.members.models import (
    MEMBER_KINDS,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    User,
)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (``Authorization: Token <token>``)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class MeViewSet(viewsets.ViewSet):
    """The signed-in user, the organisation they act for, and their roles there."""

    permission_map = {"list": AUTHENTICATED, "switch": AUTHENTICATED}
    serializer_class = s.MeSerializer

    def list(self, request):
        return Response(s.MeSerializer(request.user).data)

    @extend_schema(request=s.SwitchSerializer, responses=s.MeSerializer)
    @action(detail=False, methods=["post"])
    def switch(self, request):
        """Act for another of one's organisations."""
        payload = s.SwitchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = next(
            (o for o in request.user.acting.organizations if o.pk == payload.validated_data["organization"]), None
        )
        if organization is None:
            raise ValidationError({"organization": _("You hold no role in this organisation.")})
        user = services.user_switch_organization(user=request.user, organization=organization)
        return Response(s.MeSerializer(user).data)


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices)
    member = django_filters.BooleanFilter(method="filter_member", label="Member kinds only (communes, CPAS…)")
    membership_status = django_filters.ChoiceFilter(choices=MembershipStatus.choices)
    search = django_filters.CharFilter(method="filter_search", label="Name, city, enterprise or NIS number")

    class Meta:
        model = Organization
        fields = ["kind", "is_active", "nis_code", "member", "membership_status", "search"]

    def filter_member(self, queryset, name, value):
        return queryset.filter(kind__in=MEMBER_KINDS) if value else queryset.exclude(kind__in=MEMBER_KINDS)

    def filter_search(self, queryset, name, value):
        return selectors.search_organizations(queryset, value)


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """IMIO, the members and the suppliers. Members see their own organisation only."""

    serializer_class = s.OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering_fields = ["name", "kind", "created_at"]
    ordering = ["name"]
    permission_map = {
        "list": Perm.ORGANIZATION_VIEW,
        "retrieve": Perm.ORGANIZATION_VIEW,
        "create": Perm.ORGANIZATION_MANAGE,
        "update": (Perm.ORGANIZATION_MANAGE, Perm.ORGANIZATION_EDIT_OWN),
        "partial_update": (Perm.ORGANIZATION_MANAGE, Perm.ORGANIZATION_EDIT_OWN),
    }

    def get_queryset(self):
        return selectors.organizations_with_membership_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.organization_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.organization_update(
            actor=self.request.user, organization=serializer.instance, **serializer.validated_data
        )


class MembershipFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MembershipStatus.choices)
    member_kind = django_filters.MultipleChoiceFilter(field_name="member__kind", choices=OrganizationKind.choices)
    search = django_filters.CharFilter(field_name="member__name", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["status", "member", "member_kind", "search"]


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Membership agreements. A member requests; IMIO activates, suspends, terminates."""

    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["requested_at", "status_changed_at", "status"]
    permission_map = {
        "list": Perm.MEMBERSHIP_VIEW,
        "retrieve": Perm.MEMBERSHIP_VIEW,
        "create": (Perm.MEMBERSHIP_REQUEST, Perm.MEMBERSHIP_DECIDE),
        "activate": Perm.MEMBERSHIP_DECIDE,
        "suspend": Perm.MEMBERSHIP_DECIDE,
        "terminate": Perm.MEMBERSHIP_DECIDE,
        "document": Perm.MEMBERSHIP_VIEW,
        "attach_document": (Perm.MEMBERSHIP_REQUEST, Perm.MEMBERSHIP_DECIDE),
    }

    def get_queryset(self):
        return selectors.memberships_for(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.membership_request(
            actor=self.request.user,
            member=data.get("member") or self.request.user.acting.organization,
            decision_date=data.get("decision_date"),
            decision_reference=data.get("decision_reference", ""),
            document=data.get("document"),
        )

    def _respond(self, membership):
        return Response(self.get_serializer(membership).data)

    @extend_schema(request=s.MembershipDecisionSerializer, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activate (or reactivate) with the council decision and the signed agreement."""
        payload = s.MembershipDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_activate(
            actor=request.user, membership=self.get_object(), **payload.validated_data
        )
        return self._respond(membership)

    @extend_schema(request=s.ReasonSerializer, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        payload = s.ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_suspend(
            actor=request.user, membership=self.get_object(), **payload.validated_data
        )
        return self._respond(membership)

    @extend_schema(request=s.ReasonSerializer, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        payload = s.ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_terminate(
            actor=request.user, membership=self.get_object(), **payload.validated_data
        )
        return self._respond(membership)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The signed agreement.")})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        """Download the signed agreement."""
        membership = self.get_object()
        if not membership.document:
            raise Http404
        return FileResponse(membership.document.open("rb"), as_attachment=True, content_type="application/pdf")

    @extend_schema(request={"multipart/form-data": s.DocumentSerializer}, responses=s.MembershipSerializer)
    @document.mapping.post
    def attach_document(self, request, pk=None):
        """Attach or replace the signed agreement while the membership is requested."""
        payload = s.DocumentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_attach_document(
            actor=request.user, membership=self.get_object(), document=payload.validated_data["document"]
        )
        return self._respond(membership)


class PersonFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(field_name="role_assignments__organization", distinct=True)
    role = django_filters.CharFilter(field_name="role_assignments__role", distinct=True)
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = User
        fields = ["organization", "role", "is_active", "search"]

    def filter_search(self, queryset, name, value):
        return selectors.search_people(queryset, value)


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The people of the active organisation and their roles; a member administrator manages them."""

    serializer_class = s.PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["username", "last_name"]
    permission_map = {
        "list": Perm.USER_VIEW,
        "retrieve": Perm.USER_VIEW,
        "invite": Perm.USER_MANAGE,
        "grant": Perm.USER_MANAGE,
        "revoke": Perm.USER_MANAGE,
        "remove": Perm.USER_MANAGE,
        "resend_invitation": Perm.USER_MANAGE,
    }

    def get_queryset(self):
        return selectors.people_for(self.request.user)

    def _organization(self, organization_id):
        """The organisation named in the request, among those the user reaches (default: the active one)."""
        if organization_id is None:
            return self.request.user.acting.organization
        organization = selectors.organizations_for(self.request.user).filter(pk=organization_id).first()
        if organization is None:
            raise Http404
        return organization

    def _respond(self, person, status_code=status.HTTP_200_OK):
        person = self.get_queryset().filter(pk=person.pk).first() or person
        return Response(self.get_serializer(person).data, status=status_code)

    @extend_schema(request=s.InvitationSerializer, responses={201: s.PersonSerializer})
    @action(detail=False, methods=["post"])
    def invite(self, request):
        """Invite a person into an organisation with roles; they receive a link to set their password."""
        payload = s.InvitationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        organization = self._organization(data.pop("organization", None))
        person = services.user_invite(actor=request.user, organization=organization, **data)
        return self._respond(person, status.HTTP_201_CREATED)

    def _change(self, request, serializer_class, service):
        """Validate the payload, find the person and the organisation, call the service."""
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        person = self.get_object()
        organization = self._organization(data.pop("organization", None))
        service(actor=request.user, user=person, organization=organization, **data)
        return person

    @extend_schema(request=s.RoleChangeSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        return self._respond(self._change(request, s.RoleChangeSerializer, services.role_grant))

    @extend_schema(request=s.RoleChangeSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._respond(self._change(request, s.RoleChangeSerializer, services.role_revoke))

    @extend_schema(request=s.OrganizationChoiceSerializer, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Withdraw all of a person's roles in the organisation."""
        return self._respond(
            self._change(request, s.OrganizationChoiceSerializer, services.user_remove_from_organization)
        )

    @extend_schema(request=s.OrganizationChoiceSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request, pk=None):
        self._change(request, s.OrganizationChoiceSerializer, services.user_resend_invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)
