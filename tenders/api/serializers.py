"""Serializers of the tenders API: output shapes, and input shapes the services take."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement.core.models import CpvCode
from procurement.members.models import Organization, OrganizationKind
from tenders import sealed_bids
from tenders.models import (
    AgreementAmendment,
    AgreementSupplier,
    AwardCriterion,
    Bid,
    FrameworkAgreement,
    LegalGround,
    Lot,
    LotItem,
    ModificationGround,
    NeedsSurvey,
    Question,
    SurveyDeclaration,
    SurveyItem,
    Tender,
    TenderDocument,
)
from tenders.services.tenders import LOT_FIELDS

AMOUNT = {"max_digits": 16, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 16, "decimal_places": 4}
QUANTITY = {"max_digits": 14, "decimal_places": 3}


class CpvField(serializers.SlugRelatedField):
    """A CPV code given as its code (``30192000-1``), checked against the CPV table."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=CpvCode.objects.all(), **kwargs)

    default_error_messages = {"does_not_exist": "{value} is not a CPV code.", "invalid": "Invalid CPV code."}


def _acting_organization_id(serializer) -> int | None:
    request = serializer.context.get("request")
    return request.user.acting.organization_id if request else None


def _platform_wide(serializer) -> bool:
    request = serializer.context.get("request")
    return bool(request and request.user.acting.platform_wide)


# --- Surveys -------------------------------------------------------------------------------


class SurveyItemSerializer(serializers.ModelSerializer):
    cpv_code = CpvField()

    class Meta:
        model = SurveyItem
        fields = [
            "id",
            "lot_number",
            "lot_title",
            "description",
            "unit",
            "cpv_code",
            "estimated_unit_price",
            "total_quantity",
        ]
        read_only_fields = ["total_quantity"]


class SurveySerializer(serializers.ModelSerializer):
    items = SurveyItemSerializer(many=True, required=False)
    tender = serializers.SerializerMethodField(help_text="The tender this survey feeds.")
    participants = serializers.SerializerMethodField()

    class Meta:
        model = NeedsSurvey
        fields = [
            "id",
            "title",
            "description",
            "status",
            "closes_at",
            "items",
            "tender",
            "participants",
            "opened_at",
            "closed_at",
            "created_at",
        ]
        read_only_fields = ["status", "opened_at", "closed_at", "created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_participants(self, survey) -> list[int]:
        if not _platform_wide(self):
            return []
        return [organization.pk for organization in survey.participants.all()]

    def get_tender(self, survey) -> int | None:
        if hasattr(survey, "tender_pk"):
            return survey.tender_pk
        return Tender.objects.filter(survey=survey).values_list("pk", flat=True).first()


class DeclarationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = SurveyDeclaration
        fields = ["id", "member", "member_name", "item", "quantity", "declared_at"]


class DeclarationInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    quantity = serializers.DecimalField(min_value=0, **QUANTITY)


# --- Tenders -------------------------------------------------------------------------------


class LotItemSerializer(serializers.ModelSerializer):
    cpv_code = CpvField(required=False, allow_null=True)

    class Meta:
        model = LotItem
        fields = ["description", "unit", "cpv_code", "estimated_quantity", "estimated_unit_price"]


class LotSerializer(serializers.ModelSerializer):
    cpv_code = CpvField(required=False, allow_null=True)
    items = LotItemSerializer(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["id", *LOT_FIELDS, "status", "status_reason", "items"]
        read_only_fields = ["status", "status_reason"]
        validators = []  # uniqueness of numbers is checked by the service, lot by lot

    def validate(self, data):
        estimated, maximum = data.get("estimated_value"), data.get("maximum_value")
        if estimated is not None and maximum is not None and maximum < estimated:
            raise serializers.ValidationError(
                {"maximum_value": _("The maximum value cannot be below the estimated value.")}
            )
        return data


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardCriterion
        fields = ["id", "name", "description", "kind", "weight"]


class TenderDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TenderDocument
        fields = ["id", "kind", "title", "sha256", "size", "uploaded_at", "url"]

    def get_url(self, document) -> str:
        path = reverse("api:tender-document", args=[document.tender_id, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TenderSerializer(serializers.ModelSerializer):
    cpv_code = CpvField()
    additional_cpv_codes = CpvField(many=True, required=False)
    lots = LotSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True, required=False)
    beneficiaries = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Organization.objects.all())
    survey = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=NeedsSurvey.objects.all())
    estimated_value = serializers.DecimalField(read_only=True, **AMOUNT)
    maximum_value = serializers.DecimalField(read_only=True, **AMOUNT)
    legal_ground = serializers.ChoiceField(choices=LegalGround.choices, required=False, allow_blank=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "procedure",
            "contract_type",
            "cpv_code",
            "additional_cpv_codes",
            "status",
            "publication_level",
            "legal_ground",
            "legal_ground_justification",
            "beneficiary_scope",
            "beneficiaries",
            "survey",
            "standstill_required",
            "estimated_value",
            "maximum_value",
            "publication_at",
            "questions_deadline",
            "submission_deadline",
            "opening_at",
            "published_at",
            "opened_at",
            "evaluated_at",
            "awarded_at",
            "standstill_ends_at",
            "concluded_at",
            "status_reason",
            "lots",
            "criteria",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "publication_level",
            "published_at",
            "opened_at",
            "evaluated_at",
            "awarded_at",
            "standstill_ends_at",
            "concluded_at",
            "status_reason",
            "created_at",
        ]
        validators = []  # the reference's uniqueness is the service's to say

    def to_representation(self, tender):
        data = super().to_representation(tender)
        if not _platform_wide(self):
            data["beneficiaries"] = [] if tender.beneficiary_scope == "all_members" else data["beneficiaries"]
            data["survey"] = None
        return data


class QuestionSerializer(serializers.ModelSerializer):
    """The asker is shown to IMIO only; a supplier is told which questions are its own."""

    supplier = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "lot", "question", "asked_at", "answer", "answered_at", "supplier", "mine"]

    def get_supplier(self, question) -> int | None:
        return question.supplier_id if _platform_wide(self) else None

    def get_mine(self, question) -> bool:
        return question.supplier_id == _acting_organization_id(self)


class QuestionInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=5000)
    lot = serializers.IntegerField(required=False, allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=10000)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class AwardInputSerializer(serializers.Serializer):
    reasons = serializers.DictField(
        child=serializers.CharField(max_length=5000), help_text="Reasons of the award, by lot id."
    )


class ConcludeInputSerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False, allow_null=True)


class DocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=["specifications", "annex", "addendum"], default="specifications")


# --- Bids ----------------------------------------------------------------------------------


class ScheduleLineSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=3, required=False, allow_blank=True)
    quantity = serializers.DecimalField(**QUANTITY)
    unit_price = serializers.DecimalField(**UNIT_PRICE)
    amount = serializers.DecimalField(read_only=True, **AMOUNT)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class BidSerializer(serializers.ModelSerializer):
    """A bid as its reader may see it: before the opening, only its receipt (to all but its supplier).

    ``sealed`` says whether the content is hidden from this reader; amounts, schedule,
    answers and attachments are then ``null``.
    """

    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    lot_number = serializers.IntegerField(source="lot.number", read_only=True)
    sealed = serializers.SerializerMethodField()
    total_amount = serializers.DecimalField(read_only=True, allow_null=True, **AMOUNT)
    schedule = ScheduleLineSerializer(many=True, read_only=True, allow_null=True)
    answers = serializers.DictField(child=serializers.CharField(), read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True, allow_null=True)
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "lot",
            "lot_number",
            "supplier",
            "supplier_name",
            "status",
            "channel",
            "submitted_at",
            "receipt",
            "sealed",
            "total_amount",
            "schedule",
            "answers",
            "attachments",
            "price_points",
            "quality_points",
            "total_points",
            "rank",
            "abnormally_low",
            "award_rank",
            "status_reason",
        ]

    def _content(self, bid):
        cache = self.context.setdefault("_contents", {})
        if bid.pk not in cache:
            organization_id = _acting_organization_id(self)
            cache[bid.pk] = (
                sealed_bids.open_content(bid, organization_id=organization_id)
                if sealed_bids.may_read(bid, organization_id=organization_id)
                else None
            )
        return cache[bid.pk]

    def get_sealed(self, bid) -> bool:
        return self._content(bid) is None

    @extend_schema_field(
        {"type": "object", "properties": {"submitted_at": {"type": "string"}, "sha256": {"type": "string"}}}
    )
    def get_receipt(self, bid) -> dict:
        return {"submitted_at": bid.submitted_at.isoformat(), "sha256": bid.receipt_digest}

    def to_representation(self, bid):
        data = super().to_representation(bid)
        content = self._content(bid)
        if content is None:
            data.update(total_amount=None, schedule=None, answers=None, attachments=None)
            return data
        request = self.context.get("request")
        data["total_amount"] = f"{content.total_amount:.2f}"
        data["schedule"] = [
            {
                "description": line.description,
                "unit": line.unit,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount": f"{line.amount:.2f}",
            }
            for line in content.schedule
        ]
        data["answers"] = content.answers
        data["attachments"] = [
            {
                "id": ref.id,
                "name": ref.name,
                "size": ref.size,
                "sha256": ref.sha256,
                "url": (request.build_absolute_uri if request else str)(
                    reverse("api:bid-attachment", args=[bid.pk, ref.id])
                ),
            }
            for ref in content.attachments
        ]
        if bid.tender.bids_sealed:  # the supplier reading its own bid: no evaluation yet
            for name in ("price_points", "quality_points", "total_points", "rank"):
                data[name] = None
        return data


class BidInputSerializer(serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    total_amount = serializers.DecimalField(required=False, allow_null=True, **AMOUNT)
    schedule = ScheduleLineSerializer(many=True, required=False)
    answers = serializers.DictField(child=serializers.CharField(max_length=20000), required=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class BidReplaceSerializer(BidInputSerializer):
    lot = None


class BidRecordSerializer(BidInputSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.filter(kind=OrganizationKind.SUPPLIER))
    submitted_at = serializers.DateTimeField(required=False, allow_null=True)


class ScoreInputSerializer(serializers.Serializer):
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0),
        help_text="Quality points by criterion id.",
    )


# --- Agreements ----------------------------------------------------------------------------


class AgreementSupplierSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="supplier.name", read_only=True)
    enterprise_number = serializers.CharField(source="supplier.enterprise_number_display", read_only=True)

    class Meta:
        model = AgreementSupplier
        fields = ["supplier", "name", "enterprise_number", "rank", "active", "since", "until"]


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementAmendment
        fields = ["id", "kind", "legal_ground", "reason", "changes", "decided_at"]


class AgreementSerializer(serializers.ModelSerializer):
    suppliers = AgreementSupplierSerializer(source="supplier_links", many=True, read_only=True)
    remaining_value = serializers.DecimalField(read_only=True, **AMOUNT)
    lot_number = serializers.IntegerField(source="lot.number", read_only=True)
    beneficiaries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = FrameworkAgreement
        fields = [
            "id",
            "reference",
            "title",
            "tender",
            "lot",
            "lot_number",
            "supplier_mode",
            "suppliers",
            "beneficiary_scope",
            "beneficiaries",
            "start_date",
            "end_date",
            "estimated_value",
            "maximum_value",
            "consumed_value",
            "remaining_value",
            "status",
            "status_reason",
            "concluded_at",
        ]


class AgreementDetailSerializer(AgreementSerializer):
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "amendments"]


class ModifyInputSerializer(serializers.Serializer):
    legal_ground = serializers.ChoiceField(choices=ModificationGround.choices)
    reason = serializers.CharField(max_length=5000)
    end_date = serializers.DateField(required=False, allow_null=True)
    estimated_value = serializers.DecimalField(required=False, allow_null=True, min_value=0, **AMOUNT)
    maximum_value = serializers.DecimalField(required=False, allow_null=True, min_value=0, **AMOUNT)


class SubstituteInputSerializer(serializers.Serializer):
    old_supplier = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.SUPPLIER)
    )
    new_supplier = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.SUPPLIER)
    )
    reason = serializers.CharField(max_length=5000)
    legal_ground = serializers.ChoiceField(choices=ModificationGround.choices, default=ModificationGround.REPLACEMENT)
