import pytest
from django.contrib.contenttypes.models import ContentType

from procurement.core import audit
from procurement.core.models import AuditEntry, AuditScope
from procurement.members.models import Organization


class Sealed:
    """A stand-in for a sealed bid: its amount is secret before opening."""

    audit_secret_fields = frozenset({"total_amount"})


@pytest.mark.django_db
def test_record_writes_who_what_before_after_and_scope(commune, buyer):
    entry = audit.record(
        actor=buyer,
        action="organization.updated",
        target=commune,
        before={"city": "Namur"},
        after={"city": "Jambes"},
        organizations=[commune.pk, None, commune.pk],
    )
    entry.refresh_from_db()
    assert entry.actor == buyer
    assert entry.actor_name == "imio-buyer"
    assert entry.actor_organization_id == buyer.active_organization_id
    assert entry.content_type == ContentType.objects.get_for_model(Organization)
    assert entry.object_id == str(commune.pk)
    assert entry.object_repr == commune.name
    assert entry.changes == [("city", "Namur", "Jambes")]
    assert list(AuditScope.objects.filter(entry=entry).values_list("organization_id", flat=True)) == [commune.pk]


@pytest.mark.django_db
def test_record_redacts_credentials_and_declared_secrets(commune, monkeypatch):
    monkeypatch.setattr(Organization, "audit_secret_fields", frozenset({"iban"}), raising=False)
    entry = audit.record(
        actor=None,
        action="test.redaction",
        target=commune,
        before={"password": "hunter2", "iban": "BE71096123456769", "name": "x"},
        after={"api_token": "abc", "iban": "", "name": "y"},
        data={"secret_key": "s3cr3t", "reason": "ok"},
    )
    entry.refresh_from_db()
    assert entry.before == {"password": "[redacted]", "iban": "[redacted]", "name": "x"}
    assert entry.after == {"api_token": "[redacted]", "iban": "", "name": "y"}
    assert entry.data == {"secret_key": "[redacted]", "reason": "ok"}
    assert entry.actor is None
    assert entry.actor_name == ""


def test_redact_leaves_other_values_and_honours_model_secrets():
    assert audit.redact({"total_amount": "1000.00", "status": "sealed"}, Sealed.audit_secret_fields) == {
        "total_amount": "[redacted]",
        "status": "sealed",
    }
    assert audit.redact(None) is None


@pytest.mark.django_db
def test_snapshot_serialises_fields_for_json(active_membership):
    values = audit.snapshot(active_membership, ["member", "decision_date", "document", "status"])
    assert values == {
        "member": active_membership.member_id,
        "decision_date": active_membership.decision_date.isoformat(),
        "document": active_membership.document.name,
        "status": "active",
    }
    assert AuditEntry.objects.count() == 0
