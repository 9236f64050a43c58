"""API of subscriptions, the cart, orders, approval chains and off-platform call-offs. Thin:
selectors read, services write, errors come back as API.md says (400, 403, 404, 409)."""

from __future__ import annotations

import datetime

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors as catalog_selectors
from procurement.core.api.idempotency import IdempotentCreateMixin
from procurement.core.api.pagination import CountCappedPagination
from procurement.core.api.rows import Rows, RowsListMixin
from procurement.core.permissions import Perm
from procurement.members.acting import acting_of
from procurement.members.forms import start_of_day
from procurement.orders import documents, selectors, services
from procurement.orders.api import serializers as s
from procurement.orders.api.serializers import line_amount_of
from procurement.orders.models import ApprovalStep, OrderStatus
from tenders import selectors as tender_selectors


class SubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """A member's subscriptions to agreements, with its estimated spend."""

    serializer_class = s.SubscriptionSerializer
    filterset_fields = ["agreement", "member", "status"]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_map = {
        "list": Perm.ORDER_VIEW,
        "retrieve": Perm.ORDER_VIEW,
        "create": Perm.ORDER_PLACE,
        "partial_update": Perm.ORDER_PLACE,
        "end": Perm.ORDER_PLACE,
    }

    def get_queryset(self):
        return selectors.subscriptions_for(self.request.user)

    @extend_schema(request=s.SubscriptionCreateSerializer, responses={201: s.SubscriptionSerializer})
    def create(self, request):
        """Subscribe the acting member; without ``estimated_value``, its needs-survey declaration is used."""
        payload = s.SubscriptionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = payload.validated_data["agreement"]
        if not tender_selectors.agreements_for(request.user).filter(pk=agreement.pk).exists():
            raise ValidationError({"agreement": "Unknown agreement."})
        subscription = services.subscription_create(
            actor=request.user, agreement=agreement, estimated_value=payload.validated_data.get("estimated_value")
        )
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EstimateSerializer, responses=s.SubscriptionSerializer)
    def partial_update(self, request, pk=None):
        payload = s.EstimateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subscription = services.subscription_update(
            actor=request.user, subscription=self.get_object(), **payload.validated_data
        )
        return Response(self.get_serializer(subscription).data)

    @extend_schema(request=None, responses=s.SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        subscription = services.subscription_end(actor=request.user, subscription=self.get_object())
        return Response(self.get_serializer(subscription).data)


class ApprovalChainView(APIView):
    """The acting member's approval chain: ``GET`` it, ``PUT`` ``{"steps": [...]}`` to replace it."""

    permission_map = {"get": Perm.ORDER_VIEW, "put": Perm.APPROVAL_CONFIGURE}

    @extend_schema(responses=s.ApprovalChainSerializer)
    def get(self, request):
        organization = acting_of(request.user).organization
        steps = ApprovalStep.objects.filter(organization=organization)
        return Response({"steps": s.ApprovalStepSerializer(steps, many=True).data})

    @extend_schema(request=s.ApprovalChainSerializer, responses=s.ApprovalChainSerializer)
    def put(self, request):
        payload = s.ApprovalChainSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        steps = services.approval_chain_set(actor=request.user, steps=payload.validated_data["steps"])
        return Response({"steps": s.ApprovalStepSerializer(steps, many=True).data})


class CartViewSet(IdempotentCreateMixin, viewsets.GenericViewSet):
    """The acting officer's cart; checkout turns it into one order per agreement and supplier."""

    serializer_class = s.OrderSerializer
    pagination_class = None
    filter_backends = []
    permission_map = {
        "list": Perm.ORDER_PLACE,
        "lines": Perm.ORDER_PLACE,
        "line": Perm.ORDER_PLACE,
        "checkout": Perm.ORDER_PLACE,
    }

    def get_queryset(self):
        return selectors.cart_lines_of(self.request.user)

    def _cart(self) -> Response:
        lines = list(self.get_queryset())
        additions: dict[int, object] = {}
        for line in lines:
            additions[line.item.agreement_id] = additions.get(line.item.agreement_id, 0) + line_amount_of(line)
        member = acting_of(self.request.user).organization
        warnings = selectors.estimate_warnings(member.pk, additions) if lines else []
        return Response(s.cart_representation(lines, warnings))

    @extend_schema(responses=OpenApiResponse(description="lines, VAT per rate, totals, estimate warnings"))
    def list(self, request):
        return self._cart()

    @extend_schema(request=s.CartAddSerializer, responses=OpenApiResponse(description="the cart"))
    @action(detail=False, methods=["post"])
    def lines(self, request):
        """Add a quantity of a catalogue line (to what the cart holds of it already)."""
        payload = s.CartAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = payload.validated_data["item"]
        if not catalog_selectors.items_for(request.user).filter(pk=item.pk).exists():
            raise ValidationError({"item": "Unknown catalogue line."})
        services.cart_add(actor=request.user, **payload.validated_data)
        response = self._cart()
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=s.CartLineUpdateSerializer, responses=OpenApiResponse(description="the cart"))
    @action(detail=False, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>\d+)")
    def line(self, request, line_id=None):
        line = get_object_or_404(self.get_queryset(), pk=line_id)
        if request.method == "DELETE":
            services.cart_remove_line(actor=request.user, line=line)
        else:
            payload = s.CartLineUpdateSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            services.cart_update_line(actor=request.user, line=line, **payload.validated_data)
        return self._cart()

    @extend_schema(request=s.CheckoutSerializer, responses={201: s.OrderSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def checkout(self, request):
        """One draft order per agreement and supplier. ``Idempotency-Key`` supported: a retry makes no second order."""
        payload = s.CheckoutSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self.idempotent(
            request, lambda: services.cart_checkout(actor=request.user, **payload.validated_data), many=True
        )


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    created_from = django_filters.DateFilter(method="filter_created_from", label="Created on or after (date)")
    created_to = django_filters.DateFilter(method="filter_created_to", label="Created on or before (date)")
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains")

    class Meta:
        model = selectors.Order
        fields = ["status", "member", "agreement", "supplier", "budget_article", "number", "created_from", "created_to"]

    # A range on created_at (its indexes serve it), not on its date: the days are Brussels days.
    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_created_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=start_of_day(value + datetime.timedelta(days=1)))


class OrderViewSet(RowsListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Purchase orders: the member's officers and approvers, the supplier it was sent to, IMIO."""

    list_rows = Rows(s.OrderSerializer)
    pagination_class = CountCappedPagination  # IMIO's whole list: a million orders at ten years

    filterset_class = OrderFilter
    ordering_fields = ["created_at", "number", "total_excl_vat"]
    ordering = ["-created_at", "-id"]
    permission_map = {
        "list": Perm.ORDER_VIEW,
        "retrieve": Perm.ORDER_VIEW,
        "pdf": Perm.ORDER_VIEW,
        "ubl": Perm.ORDER_VIEW,
        "submit": Perm.ORDER_PLACE,
        "approve": Perm.ORDER_APPROVE,
        "reject": Perm.ORDER_APPROVE,
        "send": (Perm.ORDER_PLACE, Perm.ORDER_APPROVE),
        "confirm": Perm.ORDER_FULFIL,
        "decline": Perm.ORDER_FULFIL,
        "readdress": Perm.ORDER_PLACE,
        "deliver": (Perm.ORDER_FULFIL, Perm.ORDER_PLACE),
        "close": Perm.ORDER_PLACE,
        "cancel": Perm.ORDER_PLACE,
    }

    def get_queryset(self):
        orders = selectors.orders_for(self.request.user)
        # An action reads its order again with its details once done (``_respond``).
        return selectors.with_details(orders) if self.action in ("retrieve", "pdf", "ubl") else orders

    def get_serializer_class(self):
        return s.OrderSerializer if self.action == "list" else s.OrderDetailSerializer

    def _respond(self, order):
        return Response(s.OrderDetailSerializer(selectors.with_details(self.get_queryset()).get(pk=order.pk)).data)

    def _act(self, request, service, payload_class=None):
        order = self.get_object()
        data = {}
        if payload_class is not None:
            payload = payload_class(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        service(actor=request.user, order=order, **data)
        return self._respond(order)

    @extend_schema(request=None, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """A draft goes to the member's approval chain (fixed now, from the order's amount)."""
        return self._act(request, services.order_submit)

    @extend_schema(request=s.DecisionInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """One step of the chain; the last consumes the order from the agreement's ceiling (409 if it does not fit)."""
        return self._act(request, services.order_approve, s.DecisionInputSerializer)

    @extend_schema(request=s.RejectInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, services.order_reject, s.RejectInputSerializer)

    @extend_schema(request=None, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """The approved order goes to the supplier with its purchase order PDF."""
        return self._act(request, services.order_send)

    @extend_schema(request=None, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(request, services.order_confirm)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, services.order_decline, s.ReasonInputSerializer)

    @extend_schema(request=s.ReaddressInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def readdress(self, request, pk=None):
        """In a cascade, a declined order goes to the next-ranked supplier, at its prices."""
        order = self.get_object()
        payload = s.ReaddressInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        visible = catalog_selectors.items_for(request.user).in_bulk(list(payload.validated_data["items"].values()))
        items = {}
        for line_id, item_id in payload.validated_data["items"].items():
            if item_id not in visible:
                raise ValidationError({"items": f"Unknown catalogue line {item_id}."})
            items[int(line_id)] = visible[item_id]
        services.order_readdress(actor=request.user, order=order, items=items)
        return self._respond(order)

    @extend_schema(request=s.DeliverInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Record a delivery: ``{"quantities": {line id: quantity}}``, partial quantities allowed."""
        return self._act(request, services.order_deliver, s.DeliverInputSerializer)

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a delivered order, or a partly delivered one (reason required: the rest goes back to the agreement)."""
        return self._act(request, services.order_close, s.OptionalReasonSerializer)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel until delivery starts; what the order consumed goes back to the agreement."""
        return self._act(request, services.order_cancel, s.ReasonInputSerializer)

    def _document(self, content: bytes, content_type: str, filename: str) -> HttpResponse:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The purchase order.")})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        order = self.get_object()
        if order.document:
            with order.document.open("rb") as stored:
                return self._document(stored.read(), "application/pdf", f"{order.number}.pdf")
        return self._document(documents.order_pdf(order), "application/pdf", f"{order.number}.pdf")

    @extend_schema(responses={(200, "application/xml"): OpenApiResponse(description="UBL 2.1 Order, Peppol BIS 3.")})
    @action(detail=True, methods=["get"])
    def ubl(self, request, pk=None):
        order = self.get_object()
        return self._document(documents.order_ubl(order), "application/xml", f"{order.number}.xml")


class CallOffViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders members placed with the supplier directly, recorded by IMIO: they consume the ceiling."""

    serializer_class = s.CallOffSerializer
    filterset_fields = ["agreement", "member", "supplier", "cancelled"]
    ordering_fields = ["ordered_on"]
    permission_map = {
        "list": Perm.ORDER_VIEW,
        "retrieve": Perm.ORDER_VIEW,
        "create": Perm.ORDER_MANAGE,
        "cancel": Perm.ORDER_MANAGE,
    }

    def get_queryset(self):
        return selectors.call_offs_for(self.request.user)

    @extend_schema(request=s.CallOffInputSerializer, responses={201: s.CallOffSerializer})
    def create(self, request):
        payload = s.CallOffInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self.idempotent(request, lambda: services.call_off_record(actor=request.user, **payload.validated_data))

    @extend_schema(request=s.ReasonInputSerializer, responses=s.CallOffSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        call_off = services.call_off_cancel(actor=request.user, call_off=self.get_object(), **payload.validated_data)
        return Response(self.get_serializer(call_off).data)


class CompetitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mini-competitions under agreements that reopen competition; quotes sealed until the deadline."""

    serializer_class = s.CompetitionSerializer
    filterset_fields = ["agreement", "member", "status"]
    ordering_fields = ["created_at"]
    permission_map = {
        "list": Perm.ORDER_VIEW,
        "retrieve": Perm.ORDER_VIEW,
        "create": (Perm.ORDER_PLACE, Perm.ORDER_MANAGE),
        "publish": (Perm.ORDER_PLACE, Perm.ORDER_MANAGE),
        "close": (Perm.ORDER_PLACE, Perm.ORDER_MANAGE),
        "award": (Perm.ORDER_PLACE, Perm.ORDER_MANAGE),
        "cancel": (Perm.ORDER_PLACE, Perm.ORDER_MANAGE),
        "quotes": (Perm.ORDER_VIEW, Perm.ORDER_FULFIL),
    }

    def get_queryset(self):
        return selectors.competitions_for(self.request.user).prefetch_related("lines")

    def _respond(self, competition, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=competition.pk)).data, status=status_code)

    @extend_schema(request=s.CompetitionCreateSerializer, responses={201: s.CompetitionSerializer})
    def create(self, request):
        """A draft: the need line by line, for the acting member (or, for an IMIO buyer, ``member``)."""
        payload = s.CompetitionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        acting = acting_of(request.user)
        member = data.pop("member", None) if acting.platform_wide else acting.organization
        data.pop("member", None)
        if member is None:
            raise ValidationError({"member": "Choose the member the need is for."})
        if not tender_selectors.agreements_for(request.user).filter(pk=data["agreement"].pk).exists():
            raise ValidationError({"agreement": "Unknown agreement."})
        competition = services.competition_create(actor=request.user, member=member, **data)
        return self._respond(competition, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CompetitionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """The agreement's suppliers are invited; they quote until the deadline (at least 24 hours away)."""
        return self._respond(services.competition_publish(actor=request.user, competition=self.get_object()))

    @extend_schema(request=None, responses=s.CompetitionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """After the deadline: the quotes open, with their totals and price points."""
        return self._respond(services.competition_close(actor=request.user, competition=self.get_object()))

    @extend_schema(request=s.AwardQuoteSerializer, responses=s.OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        """The best quote by the agreement's criteria, with the reason: it becomes a draft order."""
        competition = self.get_object()
        payload = s.AwardQuoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        quote = get_object_or_404(competition.quotes.all(), pk=payload.validated_data["quote"])
        order = services.competition_award(
            actor=request.user,
            competition=competition,
            quote=quote,
            reason=payload.validated_data["reason"],
            quality_points=payload.validated_data["quality_points"],
        )
        detail = selectors.with_details(selectors.orders_for(request.user)).get(pk=order.pk)
        return Response(s.OrderDetailSerializer(detail).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.CompetitionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        competition = services.competition_cancel(
            actor=request.user, competition=self.get_object(), **payload.validated_data
        )
        return self._respond(competition)

    @extend_schema(request=s.QuoteInputSerializer, responses=s.QuoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def quotes(self, request, pk=None):
        """GET: the quotes this user may see (before the deadline: a supplier its own, others none).
        POST (a supplier of the agreement): quote, or replace one's quote, until the deadline."""
        competition = self.get_object()
        organization_id = acting_of(request.user).organization_id
        if request.method == "POST":
            if not request.user.has_perm(Perm.ORDER_FULFIL):
                raise PermissionDenied
            payload = s.QuoteInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            quote = services.quote_submit(actor=request.user, competition=competition, **payload.validated_data)
            return Response(
                s.QuoteSerializer(quote, context={"organization_id": organization_id}).data,
                status=status.HTTP_201_CREATED,
            )
        quotes = selectors.quotes_for(request.user, competition)
        return Response(s.QuoteSerializer(quotes, many=True, context={"organization_id": organization_id}).data)
