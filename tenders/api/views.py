"""API of surveys, tenders, questions, bids and agreements. Thin: selectors read, services write."""

from __future__ import annotations

import json

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from procurement.core.api.idempotency import IdempotentCreateMixin
from procurement.core.permissions import Perm
from tenders import sealed_bids, selectors, services
from tenders.api import serializers as s
from tenders.models import (
    AgreementStatus,
    Bid,
    BidStatus,
    FrameworkAgreement,
    NeedsSurvey,
    Procedure,
    SurveyStatus,
    Tender,
    TenderStatus,
)

SURVEY_FIELDS = ("title", "description", "closes_at")


class SurveyFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SurveyStatus.choices)
    search = django_filters.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = NeedsSurvey
        fields = ["status", "search"]


class SurveyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Needs surveys. IMIO prepares, opens and closes them; active members declare their needs."""

    serializer_class = s.SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["created_at", "closes_at", "title"]
    permission_map = {
        "list": Perm.SURVEY_VIEW,
        "retrieve": Perm.SURVEY_VIEW,
        "create": Perm.SURVEY_MANAGE,
        "update": Perm.SURVEY_MANAGE,
        "partial_update": Perm.SURVEY_MANAGE,
        "open": Perm.SURVEY_MANAGE,
        "close": Perm.SURVEY_MANAGE,
        "declarations": (Perm.SURVEY_VIEW,),
        "declare": Perm.SURVEY_DECLARE,
        "totals": Perm.SURVEY_MANAGE,
    }

    def get_queryset(self):
        return selectors.surveys_for(self.request.user).prefetch_related("items__cpv_code", "participants")

    def list(self, request, *args, **kwargs):
        services.close_due_surveys()  # what time did, before the list is read
        return super().list(request, *args, **kwargs)

    def _items(self, data):
        return [dict(item) for item in data.pop("items")] if "items" in data else None

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        items = self._items(data) or []
        serializer.instance = services.survey_create(actor=self.request.user, items=items, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        items = self._items(data)
        serializer.instance = services.survey_update(
            actor=self.request.user, survey=serializer.instance, items=items, **data
        )

    def _respond(self, survey):
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(request=None, responses=s.SurveySerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the survey to the members (they are e-mailed)."""
        return self._respond(services.survey_open(actor=request.user, survey=self.get_object()))

    @extend_schema(request=None, responses=s.SurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close: totals per item, participants recorded, the linked draft tender's lots fed."""
        return self._respond(services.survey_close(actor=request.user, survey=self.get_object()))

    @extend_schema(responses=s.DeclarationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def declarations(self, request, pk=None):
        """Declarations: all of them for IMIO, the member's own for a member."""
        survey = self.get_object()
        declarations = selectors.declarations_for(request.user, survey)
        return Response(s.DeclarationSerializer(declarations, many=True).data)

    @extend_schema(request=s.DeclarationInputSerializer(many=True), responses=s.DeclarationSerializer(many=True))
    @declarations.mapping.post
    def declare(self, request, pk=None):
        """Declare the acting member's quantities: ``[{"item", "quantity"}]`` (0 withdraws an item)."""
        survey = self.get_object()
        payload = s.DeclarationInputSerializer(data=request.data, many=isinstance(request.data, list))
        payload.is_valid(raise_exception=True)
        entries = payload.validated_data if isinstance(payload.validated_data, list) else [payload.validated_data]
        declarations = services.survey_declare(
            actor=request.user, survey=survey, quantities={entry["item"]: entry["quantity"] for entry in entries}
        )
        return Response(s.DeclarationSerializer(declarations, many=True).data)

    @extend_schema(responses={200: OpenApiResponse(description="Declared totals per item.")})
    @action(detail=True, methods=["get"])
    def totals(self, request, pk=None):
        """Per item: declared quantity, number of members, estimated value."""
        survey = self.get_object()
        return Response(
            [
                {
                    "item": row["item"].pk,
                    "description": row["item"].description,
                    "lot_number": row["item"].lot_number,
                    "quantity": f"{row['quantity']:.3f}",
                    "members": row["members"],
                    "value": f"{row['value']:.2f}",
                }
                for row in selectors.survey_totals(survey)
            ]
        )


class TenderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TenderStatus.choices)
    procedure = django_filters.MultipleChoiceFilter(choices=Procedure.choices)
    cpv = django_filters.CharFilter(method="filter_cpv", label="CPV code prefix (e.g. 3019)")
    search = django_filters.CharFilter(method="filter_search", label="Reference or title")
    open_for_bids = django_filters.BooleanFilter(method="filter_open", label="Accepting bids now")

    class Meta:
        model = Tender
        fields = ["status", "procedure", "contract_type", "publication_level", "cpv", "search", "open_for_bids"]

    def filter_cpv(self, queryset, name, value):
        return queryset.filter(cpv_code__code__startswith=value.strip())

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value))

    def filter_open(self, queryset, name, value):
        open_now = {"status": TenderStatus.PUBLISHED, "submission_deadline__gt": timezone.now()}
        return queryset.filter(**open_now) if value else queryset.exclude(**open_now)


class TenderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tenders. IMIO drafts, publishes, opens, evaluates, awards and concludes; candidates and
    members see published tenders."""

    serializer_class = s.TenderSerializer
    filterset_class = TenderFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["created_at", "submission_deadline", "reference"]
    permission_map = {
        "list": Perm.TENDER_VIEW,
        "retrieve": Perm.TENDER_VIEW,
        "create": Perm.TENDER_MANAGE,
        "update": Perm.TENDER_MANAGE,
        "partial_update": Perm.TENDER_MANAGE,
        "publish": Perm.TENDER_MANAGE,
        "open_bids": Perm.TENDER_MANAGE,
        "evaluate": Perm.TENDER_MANAGE,
        "award": Perm.TENDER_MANAGE,
        "conclude": Perm.TENDER_MANAGE,
        "cancel": Perm.TENDER_MANAGE,
        "documents": Perm.TENDER_VIEW,
        "add_document": Perm.TENDER_MANAGE,
        "document": Perm.TENDER_VIEW,
        "questions": Perm.TENDER_VIEW,
        "ask": Perm.QUESTION_ASK,
        "answer": Perm.QUESTION_ANSWER,
        "ranking": Perm.TENDER_MANAGE,
    }

    def get_queryset(self):
        return selectors.tenders_for(self.request.user)

    def list(self, request, *args, **kwargs):
        services.close_due_tenders()  # what time did, before the list is read
        return super().list(request, *args, **kwargs)

    def get_object(self):
        tender = super().get_object()
        return services.advance_tender(tender)

    def _split(self, data):
        nested = {}
        for name in ("lots", "criteria", "additional_cpv_codes", "beneficiaries"):
            if name in data:
                value = data.pop(name)
                nested[name] = [dict(item) for item in value] if name in ("lots", "criteria") else list(value)
        return nested

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        nested = self._split(data)
        serializer.instance = services.tender_create(actor=self.request.user, **nested, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        nested = self._split(data)
        data.pop("survey", None)
        serializer.instance = services.tender_update(
            actor=self.request.user, tender=serializer.instance, **nested, **data
        )

    def _respond(self, tender):
        return Response(self.get_serializer(self.get_queryset().get(pk=tender.pk)).data)

    @extend_schema(request=None, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish (400 with what is missing: lots, criteria summing to 100, specifications, dates, procedure)."""
        return self._respond(services.tender_publish(actor=request.user, tender=self.get_object()))

    @extend_schema(request=None, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def open_bids(self, request, pk=None):
        """At or after the opening time: open the bids and produce the opening record."""
        return self._respond(services.tender_open_bids(actor=request.user, tender=self.get_object()))

    @extend_schema(request=None, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Compute price points, totals, ranks and abnormally-low flags; lots without bids unsuccessful."""
        return self._respond(services.tender_evaluate(actor=request.user, tender=self.get_object()))

    @extend_schema(request=s.AwardInputSerializer, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        """Award each lot to its best bid(s), with reasons by lot id; bidders are notified."""
        payload = s.AwardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            reasons = {int(lot): reason for lot, reason in payload.validated_data["reasons"].items()}
        except ValueError as error:
            raise ValidationError({"reasons": _("Give the reasons by lot id.")}) from error
        return self._respond(services.tender_award(actor=request.user, tender=self.get_object(), reasons=reasons))

    @extend_schema(request=s.ConcludeInputSerializer, responses=s.AgreementSerializer(many=True))
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """After the standstill: one framework agreement per awarded lot."""
        payload = s.ConcludeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreements = services.tender_conclude(
            actor=request.user, tender=self.get_object(), start_date=payload.validated_data.get("start_date")
        )
        return Response(s.AgreementSerializer(agreements, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.tender_cancel(actor=request.user, tender=self.get_object(), **payload.validated_data)
        )

    @extend_schema(responses=s.TenderDocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        """The documents this user may read (records and reports: IMIO only)."""
        tender = self.get_object()
        documents = selectors.documents_for(request.user, tender)
        return Response(s.TenderDocumentSerializer(documents, many=True, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": s.DocumentInputSerializer}, responses=s.TenderDocumentSerializer)
    @documents.mapping.post
    def add_document(self, request, pk=None):
        """Attach the specifications or an annex (an addendum after publication)."""
        payload = s.DocumentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = services.tender_add_document(actor=request.user, tender=self.get_object(), **payload.validated_data)
        return Response(
            s.TenderDocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The document.")})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_pk>\d+)", url_name="document")
    def document(self, request, pk=None, document_pk=None):
        tender = self.get_object()
        document = get_object_or_404(selectors.documents_for(request.user, tender), pk=document_pk)
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/")[-1])

    @extend_schema(responses=s.QuestionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def questions(self, request, pk=None):
        """Questions and answers: answered ones for every candidate, one's own, all for IMIO."""
        tender = self.get_object()
        questions = selectors.questions_for(request.user, tender)
        return Response(s.QuestionSerializer(questions, many=True, context={"request": request}).data)

    @extend_schema(request=s.QuestionInputSerializer, responses=s.QuestionSerializer)
    @questions.mapping.post
    def ask(self, request, pk=None):
        """A supplier asks a question until the questions deadline."""
        tender = self.get_object()
        payload = s.QuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lot_id = payload.validated_data.get("lot")
        lot = tender.lots.filter(pk=lot_id).first() if lot_id else None
        if lot_id and lot is None:
            raise ValidationError({"lot": _("This lot belongs to another tender.")})
        question = services.question_ask(
            actor=request.user, tender=tender, question=payload.validated_data["question"], lot=lot
        )
        return Response(
            s.QuestionSerializer(question, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.AnswerInputSerializer, responses=s.QuestionSerializer)
    @action(detail=True, methods=["post"], url_path=r"questions/(?P<question_pk>\d+)/answer")
    def answer(self, request, pk=None, question_pk=None):
        tender = self.get_object()
        question = get_object_or_404(selectors.questions_for(request.user, tender), pk=question_pk)
        payload = s.AnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = services.question_answer(actor=request.user, question=question, **payload.validated_data)
        return Response(s.QuestionSerializer(question, context={"request": request}).data)


class BidFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BidStatus.choices)

    class Meta:
        model = Bid
        fields = ["tender", "lot", "supplier", "status"]


class BidViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sealed bids. Before the opening nobody but the bidder reads their content; ordering is by
    lot and time of deposit only (never by amount)."""

    serializer_class = s.BidSerializer
    filterset_class = BidFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["submitted_at", "id"]
    ordering = ["tender_id", "lot__number", "submitted_at", "id"]
    permission_map = {
        "list": Perm.BID_VIEW,
        "retrieve": Perm.BID_VIEW,
        "create": Perm.BID_SUBMIT,
        "replace": Perm.BID_SUBMIT,
        "withdraw": Perm.BID_SUBMIT,
        "record": Perm.TENDER_MANAGE,
        "score": Perm.TENDER_MANAGE,
        "exclude": Perm.TENDER_MANAGE,
        "reinstate": Perm.TENDER_MANAGE,
        "attachment": Perm.BID_VIEW,
    }

    def get_queryset(self):
        return selectors.bids_for(self.request.user)

    def list(self, request, *args, **kwargs):
        services.close_due_tenders()
        return super().list(request, *args, **kwargs)

    def _bid_input(self, serializer_class, request):
        data = request.data
        if hasattr(data, "getlist"):  # multipart: attachments as repeated files, JSON parts as text
            data = {key: data.get(key) for key in data}
            for name in ("schedule", "answers"):
                if isinstance(data.get(name), str) and data[name]:
                    try:
                        data[name] = json.loads(data[name])
                    except ValueError as error:
                        raise ValidationError({name: _("Expected JSON.")}) from error
            data["attachments"] = request.FILES.getlist("attachments")
        payload = serializer_class(data=data)
        if "lot" in payload.fields:
            payload.fields["lot"].queryset = payload.fields["lot"].queryset.filter(
                tender__in=selectors.tenders_for(request.user)
            )
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    @extend_schema(request=s.BidInputSerializer, responses={201: s.BidSerializer})
    def create(self, request):
        """Submit a sealed bid for a lot (``Idempotency-Key`` supported). Answers with the receipt."""
        data = self._bid_input(s.BidInputSerializer, request)
        return self.idempotent(request, lambda: services.bid_submit(actor=request.user, **data))

    @extend_schema(request=s.BidReplaceSerializer, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Replace the content before the deadline; attachments are kept unless new ones are sent."""
        bid = self.get_object()
        data = self._bid_input(s.BidReplaceSerializer, request)
        if not request.FILES.getlist("attachments") and not data.get("attachments"):
            data["attachments"] = None
        return Response(self.get_serializer(services.bid_replace(actor=request.user, bid=bid, **data)).data)

    @extend_schema(request=None, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return Response(self.get_serializer(services.bid_withdraw(actor=request.user, bid=self.get_object())).data)

    @extend_schema(request=s.BidRecordSerializer, responses={201: s.BidSerializer})
    @action(detail=False, methods=["post"])
    def record(self, request):
        """IMIO records a bid opened on the federal e-Tendering platform (``Idempotency-Key`` supported)."""
        data = self._bid_input(s.BidRecordSerializer, request)
        return self.idempotent(request, lambda: services.bid_record(actor=request.user, **data))

    @extend_schema(request=s.ScoreInputSerializer, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Quality points per criterion id (0 to the criterion's weight)."""
        payload = s.ScoreInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            points = {int(key): value for key, value in payload.validated_data["points"].items()}
        except ValueError as error:
            raise ValidationError({"points": _("Give the points by criterion id.")}) from error
        bid = services.bid_score(actor=request.user, bid=self.get_object(), points=points)
        return Response(self.get_serializer(self.get_queryset().get(pk=bid.pk)).data)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def exclude(self, request, pk=None):
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bid = services.bid_exclude(actor=request.user, bid=self.get_object(), **payload.validated_data)
        return Response(self.get_serializer(bid).data)

    @extend_schema(request=None, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        bid = services.bid_reinstate(actor=request.user, bid=self.get_object())
        return Response(self.get_serializer(bid).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The attachment.")})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9a-f]{32})")
    def attachment(self, request, pk=None, attachment_id=None):
        """An attachment, once the bids are opened (or to the bidder itself)."""
        bid = self.get_object()
        organization_id = request.user.acting.organization_id
        if not sealed_bids.may_read(bid, organization_id=organization_id):
            raise Http404
        content = sealed_bids.open_content(bid, organization_id=organization_id)
        ref = next((ref for ref in content.attachments if ref.id == attachment_id), None)
        if ref is None:
            raise Http404
        data = sealed_bids.open_attachment(bid, ref, organization_id=organization_id)
        response = HttpResponse(data, content_type=ref.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=ref.name)
        return response


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    supplier = django_filters.NumberFilter(field_name="supplier_links__supplier", distinct=True)
    search = django_filters.CharFilter(method="filter_search", label="Reference or title")

    class Meta:
        model = FrameworkAgreement
        fields = ["status", "tender", "supplier", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value))


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Framework agreements: what members order under. Amendments are recorded, never silent edits."""

    serializer_class = s.AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["start_date", "end_date", "reference"]
    permission_map = {
        "list": Perm.AGREEMENT_VIEW,
        "retrieve": Perm.AGREEMENT_VIEW,
        "modify": Perm.AGREEMENT_MANAGE,
        "substitute": Perm.AGREEMENT_MANAGE,
        "terminate": Perm.AGREEMENT_MANAGE,
    }

    def get_queryset(self):
        return selectors.agreements_for(self.request.user)

    def list(self, request, *args, **kwargs):
        services.expire_due_agreements()
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        return s.AgreementSerializer if self.action == "list" else s.AgreementDetailSerializer

    def get_object(self):
        return services.advance_agreement(super().get_object())

    def _respond(self, agreement):
        return Response(s.AgreementDetailSerializer(self.get_queryset().get(pk=agreement.pk)).data)

    @extend_schema(request=s.ModifyInputSerializer, responses=s.AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def modify(self, request, pk=None):
        """Record a modification: end date (within 48 months of the start) or values, with its legal ground."""
        agreement = self.get_object()
        payload = s.ModifyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.agreement_modify(actor=request.user, agreement=agreement, **payload.validated_data)
        return self._respond(agreement)

    @extend_schema(request=s.SubstituteInputSerializer, responses=s.AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def substitute(self, request, pk=None):
        """Replace a supplier (it keeps its history); the new one takes its rank."""
        agreement = self.get_object()
        payload = s.SubstituteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.agreement_substitute_supplier(actor=request.user, agreement=agreement, **payload.validated_data)
        return self._respond(agreement)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        agreement = self.get_object()
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.agreement_terminate(actor=request.user, agreement=agreement, **payload.validated_data)
        return self._respond(agreement)
