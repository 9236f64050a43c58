import pytest

from procurement.core.models import AuditEntry
from procurement.members.models import Membership, MembershipStatus, Organization


@pytest.mark.django_db
def test_platform_admin_uses_the_django_admin(client, imio_admin, commune):
    client.force_login(imio_admin)
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/members/organization/")
    assert listing.status_code == 200
    assert commune.name in listing.content.decode()
    assert client.get("/admin/core/auditentry/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["buyer", "officer", "member_admin"])
def test_other_roles_are_kept_out_of_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get("/admin/members/organization/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_edits_go_through_the_service_and_are_audited(client, imio_admin, commune):
    client.force_login(imio_admin)
    form = client.get(f"/admin/members/organization/{commune.pk}/change/").context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data.update({"city": "Jambes", "enterprise_number": commune.enterprise_number_display, "is_active": "on"})
    response = client.post(f"/admin/members/organization/{commune.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    commune.refresh_from_db()
    assert commune.city == "Jambes"
    entry = AuditEntry.objects.get(action="organization.updated")
    assert entry.actor == imio_admin
    assert entry.after == {"city": "Jambes"}


@pytest.mark.django_db
def test_admin_shows_service_errors_on_the_form(client, imio_admin, commune):
    client.force_login(imio_admin)
    form = client.get(f"/admin/members/organization/{commune.pk}/change/").context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data.update({"nis_code": "99999", "is_active": "on"})
    response = client.post(f"/admin/members/organization/{commune.pk}/change/", data)
    assert response.status_code == 200
    assert "99999" in str(response.context["adminform"].form.errors["nis_code"])
    commune.refresh_from_db()
    assert commune.nis_code != "99999"
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_admin_suspends_memberships_through_the_service(client, imio_admin, active_membership):
    client.force_login(imio_admin)
    response = client.post(
        "/admin/members/membership/",
        {"action": "suspend", "_selected_action": [active_membership.pk]},
    )
    assert response.status_code == 302
    active_membership.refresh_from_db()
    assert active_membership.status == MembershipStatus.SUSPENDED
    assert AuditEntry.objects.filter(action="membership.suspended").count() == 1
    assert Membership.objects.count() == 1
    assert Organization.objects.filter(pk=active_membership.member_id).exists()
