import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.core import audit
from procurement.core.models import AuditEntry
from tests.web.helpers import assert_redirects_to_login


def entry(target, action, organizations=(), at=None, before=None, after=None):
    recorded = audit.record(
        actor=None, action=action, target=target, before=before, after=after, organizations=organizations
    )
    if at is not None:
        AuditEntry.objects.filter(pk=recorded.pk).update(at=at)
    return recorded


@pytest.mark.parametrize("role_fixture", ["imio_admin", "buyer", "finance", "officer", "approver", "supplier_user"])
def test_audit_trail_opens_for_roles_with_the_permission(request, login, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(reverse("audit")).status_code == 200


@pytest.mark.parametrize("role_fixture", ["observer", "newcomer"])
def test_audit_trail_is_forbidden_without_the_permission(request, login, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(reverse("audit")).status_code == 403


def test_audit_trail_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("audit")))


def test_member_reads_only_entries_about_its_organisation(login, officer, commune, other_commune):
    own = entry(commune, "organization.updated", [commune.pk])
    entry(other_commune, "organization.updated", [other_commune.pk])

    response = login(officer).get(reverse("audit"))

    assert response.context["entries"] == [own]


def test_imio_reads_everything_newest_first(login, buyer, commune, other_commune):
    older = entry(commune, "organization.updated", at=timezone.now() - datetime.timedelta(days=1))
    newer = entry(other_commune, "organization.updated")

    assert login(buyer).get(reverse("audit")).context["entries"] == [newer, older]


def test_audit_trail_shows_the_changed_fields_before_and_after(login, buyer, commune):
    entry(commune, "organization.updated", before={"city": "Namur"}, after={"city": "Jambes"})

    html = login(buyer).get(reverse("audit")).content.decode()

    assert "Organisation changed" in html
    assert "City" in html
    assert "Namur</del>" in html
    assert "Jambes</ins>" in html


def test_audit_trail_filters_by_action_prefix(login, buyer, commune, active_membership):
    membership_entry = entry(active_membership, "membership.activated")
    entry(commune, "organization.updated")

    response = login(buyer).get(reverse("audit"), {"action": "membership."})

    assert response.context["entries"] == [membership_entry]


def test_audit_trail_filters_by_exact_action_and_object_type(login, buyer, commune, active_membership):
    entry(active_membership, "membership.requested")
    activated = entry(active_membership, "membership.activated")
    entry(commune, "organization.updated")
    client = login(buyer)

    by_action = client.get(reverse("audit"), {"action": "membership.activated"})
    by_type = client.get(reverse("audit"), {"object_type": "organization"})

    assert by_action.context["entries"] == [activated]
    assert [e.action for e in by_type.context["entries"]] == ["organization.updated"]


def test_audit_trail_filters_by_dates_inclusive(login, buyer, commune):
    today = timezone.localdate()
    entry(commune, "organization.updated", at=timezone.now() - datetime.timedelta(days=10))
    recent = entry(commune, "organization.updated")

    response = login(buyer).get(reverse("audit"), {"since": today.isoformat(), "until": today.isoformat()})

    assert response.context["entries"] == [recent]


def test_audit_trail_reports_a_reversed_date_range(login, buyer, commune):
    today = timezone.localdate()

    response = login(buyer).get(
        reverse("audit"), {"since": today.isoformat(), "until": (today - datetime.timedelta(days=1)).isoformat()}
    )

    assert "until" in response.context["filter_form"].errors


def test_audit_trail_pages_by_keyset_without_counting(login, buyer, commune):
    moment = timezone.now()
    entries = [entry(commune, "organization.updated", at=moment) for _ in range(55)]  # same instant: id breaks ties
    client = login(buyer)

    first = client.get(reverse("audit"))
    second = client.get(reverse("audit"), {"before": first.context["older_cursor"]})

    assert len(first.context["entries"]) == 50
    assert first.context["entries"][0] == entries[-1]
    assert second.context["entries"] == list(reversed(entries[:5]))
    assert second.context["older_cursor"] is None
    assert "Older entries" in first.content.decode()
    assert "Newest entries" in second.content.decode()


def test_audit_trail_keeps_filters_in_the_older_entries_link(login, buyer, commune):
    for _ in range(51):
        entry(commune, "organization.updated")

    html = login(buyer).get(reverse("audit"), {"action": "organization."}).content.decode()

    assert "action=organization." in html
    assert "before=" in html


def test_audit_trail_ignores_a_malformed_cursor(login, buyer, commune):
    recorded = entry(commune, "organization.updated")

    response = login(buyer).get(reverse("audit"), {"before": "yesterday_x"})

    assert response.context["entries"] == [recorded]


def test_audit_trail_does_not_count_and_its_queries_do_not_grow(login, buyer, commune, django_assert_max_num_queries):
    for _ in range(30):
        entry(commune, "organization.updated", before={"city": "A"}, after={"city": "B"})
    client = login(buyer)

    with django_assert_max_num_queries(6) as captured:
        client.get(reverse("audit"))

    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)


def test_the_trail_names_the_procedures_steps_and_lists_their_changes(login, buyer):
    from tests.factories.tenders import draft_tender

    draft_tender(buyer, reference="IMIO-2026-321")

    audit_page = login(buyer).get(reverse("audit"), {"action": "tender."})
    dashboard = login(buyer).get(reverse("dashboard"))

    assert audit_page.status_code == dashboard.status_code == 200
    page = audit_page.content.decode()
    assert "Marché rédigé" in page or "Tender drafted" in page
    assert "IMIO-2026-321" in page
