"""A member's approval chain: the steps an order goes through before it may be sent."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.money import quantize
from procurement.core.permissions import Perm
from procurement.orders.models import ApprovalStep, StepKind
from procurement.orders.services._common import member_acted_for

MAX_STEPS = 5


def default_chain() -> list[dict]:
    """A member that configured nothing: one decision, whatever the amount (named in the platform's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return [{"position": 1, "name": str(_("Decision")), "kind": StepKind.DECISION}]


def chain_for(member, amount) -> list[dict]:
    """The steps an order of ``amount`` excl. VAT needs at ``member``, in order."""
    steps = [
        {"position": position, "name": step.name, "kind": step.kind}
        for position, step in enumerate(
            (step for step in ApprovalStep.objects.filter(organization=member) if step.applies_to(amount)), start=1
        )
    ]
    return steps or default_chain()


@transaction.atomic
def approval_chain_set(*, actor, steps: list[dict]) -> list[ApprovalStep]:
    """Replace the member's chain. Each step: ``name``, ``kind`` (visa or decision), optional ``threshold``."""
    member = member_acted_for(actor, Perm.APPROVAL_CONFIGURE)
    if not steps:
        raise ValidationError({"steps": _("Give at least one step (for example the decision of the college).")})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": _("At most %(count)s steps.") % {"count": MAX_STEPS}})
    cleaned = []
    for position, step in enumerate(steps, start=1):
        name = " ".join(str(step.get("name") or "").split())
        kind = step.get("kind") or StepKind.DECISION
        threshold = step.get("threshold")
        if not name:
            raise ValidationError({"steps": _("Step %(position)s needs a name.") % {"position": position}})
        if kind not in StepKind.values:
            raise ValidationError({"steps": _("Step %(position)s: a visa or a decision.") % {"position": position}})
        if threshold not in (None, ""):
            try:
                threshold = quantize(threshold)
            except (TypeError, ValueError):
                raise ValidationError(
                    {"steps": _("Step %(position)s: the threshold is an amount in euros.") % {"position": position}}
                ) from None
            if threshold < 0:
                raise ValidationError(
                    {"steps": _("Step %(position)s: the threshold cannot be negative.") % {"position": position}}
                )
        else:
            threshold = None
        cleaned.append(
            ApprovalStep(organization=member, position=position, name=name[:120], kind=kind, threshold=threshold)
        )
    before = [
        {"name": step.name, "kind": step.kind, "threshold": step.threshold}
        for step in ApprovalStep.objects.select_for_update().filter(organization=member)
    ]
    ApprovalStep.objects.filter(organization=member).delete()
    created = ApprovalStep.objects.bulk_create(cleaned)
    audit.record(
        actor=actor,
        action="approval_chain.configured",
        target=member,
        before={"steps": before},
        after={"steps": [{"name": s.name, "kind": s.kind, "threshold": s.threshold} for s in created]},
        organizations=[member.pk],
    )
    return created
