import pytest
from django.urls import reverse

from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members import services
from procurement.members.models import RoleAssignment, User
from tests.factories import person
from tests.web.helpers import assert_redirects_to_login, audit_total, messages_of


def roles_of(user, organization) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user, organization=organization).values_list("role", flat=True))


def pending_invitation(organization, email="pending@example.org"):
    return services.user_invite(actor=None, organization=organization, email=email, roles=[Role.MEMBER_OFFICER])


# --- List --------------------------------------------------------------------------------------


def test_member_lists_the_people_of_its_organisation(login, officer, member_admin, other_officer):
    response = login(officer).get(reverse("people"))

    assert response.status_code == 200
    assert set(response.context["people"]) == {officer, member_admin}


def test_people_list_shows_roles_and_pending_invitations(login, officer, commune):
    pending = pending_invitation(commune)

    html = login(officer).get(reverse("people")).content.decode()

    assert "Purchasing officer" in html
    assert "Invitation pending" in html
    assert pending.email in html
    assert "md5$" not in html


def test_imio_administrator_lists_everyone_and_filters_by_organisation(
    login, imio_admin, officer, other_officer, other_commune
):
    client = login(imio_admin)

    everyone = client.get(reverse("people"))
    filtered = client.get(reverse("people"), {"organization": other_commune.pk})

    assert {officer, other_officer, imio_admin} <= set(everyone.context["people"])
    assert list(filtered.context["people"]) == [other_officer]


def test_people_list_searches_names_and_emails(login, imio_admin, officer, other_officer):
    response = login(imio_admin).get(reverse("people"), {"q": other_officer.email})

    assert list(response.context["people"]) == [other_officer]


def test_members_cannot_filter_on_other_organisations(login, officer, other_commune):
    response = login(officer).get(reverse("people"), {"organization": other_commune.pk})

    assert "organization" not in response.context["filter_form"].fields
    assert officer in response.context["people"]


@pytest.mark.parametrize("role_fixture", ["observer", "newcomer"])
def test_people_list_is_forbidden_without_the_view_permission(request, login, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(reverse("people")).status_code == 403


def test_people_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("people")))


def test_people_list_queries_do_not_grow_with_people(login, imio_admin, commune, django_assert_max_num_queries):
    for _ in range(20):
        person(commune, Role.MEMBER_OFFICER)
    client = login(imio_admin)

    with django_assert_max_num_queries(10):
        client.get(reverse("people"))


# --- Person page -------------------------------------------------------------------------------


def test_member_admin_gets_a_roles_form_for_its_organisation(login, member_admin, officer, commune):
    response = login(member_admin).get(reverse("person_detail", args=[officer.pk]))

    assert response.status_code == 200
    [affiliation] = response.context["affiliations"]
    assert affiliation.organization == commune
    assert affiliation.form.initial == {"roles": [Role.MEMBER_OFFICER]}
    assert [value for value, _label in affiliation.form.fields["roles"].choices] == [
        Role.FINANCE,
        Role.MEMBER_ADMIN,
        Role.MEMBER_OFFICER,
        Role.MEMBER_APPROVER,
    ]


def test_officer_sees_a_colleague_without_forms(login, officer, member_admin):
    response = login(officer).get(reverse("person_detail", args=[member_admin.pk]))

    assert response.status_code == 200
    assert [affiliation.form for affiliation in response.context["affiliations"]] == [None]


def test_person_of_another_organisation_is_not_found(login, member_admin, other_officer):
    assert login(member_admin).get(reverse("person_detail", args=[other_officer.pk])).status_code == 404


def test_person_page_is_forbidden_to_an_observer(login, observer, officer):
    assert login(observer).get(reverse("person_detail", args=[officer.pk])).status_code == 403


def test_person_page_needs_a_signed_in_person(client, officer):
    assert_redirects_to_login(client.get(reverse("person_detail", args=[officer.pk])))


def test_person_page_never_shows_the_password_hash(login, imio_admin, officer):
    html = login(imio_admin).get(reverse("person_detail", args=[officer.pk])).content.decode()

    assert officer.password not in html


# --- Invitations -------------------------------------------------------------------------------


def invitation_data(**overrides) -> dict:
    return {
        "email": "new.officer@example.org",
        "first_name": "Nina",
        "last_name": "Nouvelle",
        "roles": [Role.MEMBER_OFFICER],
    } | overrides


def test_member_admin_invites_a_person(login, member_admin, commune, mailoutbox, django_capture_on_commit_callbacks):
    before = audit_total()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(member_admin).post(reverse("person_invite"), invitation_data())

    invited = User.objects.get(email="new.officer@example.org")
    assert response.status_code == 302
    assert response.url == reverse("person_detail", args=[invited.pk])
    assert roles_of(invited, commune) == {Role.MEMBER_OFFICER}
    assert invited.invitation_pending
    assert audit_total() == before + 2  # the account, then the role
    assert [entry.action for entry in AuditEntry.objects.order_by("-id")[:2]] == ["role.granted", "user.invited"]
    assert mailoutbox[-1].to == ["new.officer@example.org"]


def test_invitation_offers_only_the_roles_of_the_organisations_kind(login, member_admin):
    form = login(member_admin).get(reverse("person_invite")).context["form"]

    assert Role.BUYER not in {value for value, _label in form.fields["roles"].choices}


def test_invitation_with_a_role_of_another_kind_is_rejected(login, member_admin):
    before = audit_total()

    response = login(member_admin).post(reverse("person_invite"), invitation_data(roles=[Role.BUYER]))

    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(email="new.officer@example.org").exists()
    assert audit_total() == before


def test_invitation_without_a_role_shows_the_error(login, member_admin):
    response = login(member_admin).post(reverse("person_invite"), invitation_data(roles=[]))

    assert response.context["form"].errors["roles"]
    assert not User.objects.filter(email="new.officer@example.org").exists()


@pytest.mark.parametrize("role_fixture", ["officer", "approver", "buyer", "supplier_user"])
def test_invitation_is_forbidden_without_the_manage_permission(request, login, role_fixture):
    client = login(request.getfixturevalue(role_fixture))
    before = audit_total()

    assert client.get(reverse("person_invite")).status_code == 403
    assert client.post(reverse("person_invite"), invitation_data()).status_code == 403
    assert not User.objects.filter(email="new.officer@example.org").exists()
    assert audit_total() == before


def test_member_admin_cannot_invite_into_another_member(login, member_admin, other_commune):
    response = login(member_admin).post(reverse("organization_invite", args=[other_commune.pk]), invitation_data())

    assert response.status_code == 404
    assert not User.objects.filter(email="new.officer@example.org").exists()


def test_imio_administrator_invites_into_a_member(login, imio_admin, other_commune):
    response = login(imio_admin).post(reverse("organization_invite", args=[other_commune.pk]), invitation_data())

    assert response.status_code == 302
    assert roles_of(User.objects.get(email="new.officer@example.org"), other_commune) == {Role.MEMBER_OFFICER}


def test_invitation_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.post(reverse("person_invite"), invitation_data()))
    assert not User.objects.filter(email="new.officer@example.org").exists()


# --- Roles -------------------------------------------------------------------------------------


def roles_url(user, organization) -> str:
    return reverse("person_roles", args=[user.pk, organization.pk])


def roles_data(organization, *roles) -> dict:
    return {f"organization-{organization.pk}-roles": list(roles)}


def test_member_admin_grants_and_revokes_roles(login, member_admin, officer, commune):
    before = audit_total()

    response = login(member_admin).post(
        roles_url(officer, commune), roles_data(commune, Role.MEMBER_APPROVER, Role.FINANCE)
    )

    assert response.status_code == 302
    assert roles_of(officer, commune) == {Role.MEMBER_APPROVER, Role.FINANCE}
    assert audit_total() == before + 3
    assert sorted(AuditEntry.objects.order_by("-id").values_list("action", flat=True)[:3]) == [
        "role.granted",
        "role.granted",
        "role.revoked",
    ]


def test_unticking_every_role_shows_the_error(login, member_admin, officer, commune):
    before = audit_total()

    response = login(member_admin).post(roles_url(officer, commune), roles_data(commune))

    assert response.status_code == 200
    [affiliation] = response.context["affiliations"]
    assert affiliation.form.errors["roles"]
    assert roles_of(officer, commune) == {Role.MEMBER_OFFICER}
    assert audit_total() == before


def test_roles_change_is_all_or_nothing(login, member_admin, commune):
    before = audit_total()

    response = login(member_admin).post(roles_url(member_admin, commune), roles_data(commune, Role.MEMBER_OFFICER))

    assert response.status_code == 302
    assert "must keep at least one person" in messages_of(response)[0]
    assert roles_of(member_admin, commune) == {Role.MEMBER_ADMIN}
    assert audit_total() == before


@pytest.mark.parametrize("role_fixture", ["officer", "buyer"])
def test_roles_change_is_forbidden_without_the_manage_permission(request, login, role_fixture, member_admin, commune):
    before = audit_total()

    response = login(request.getfixturevalue(role_fixture)).post(
        roles_url(member_admin, commune), roles_data(commune, Role.MEMBER_OFFICER)
    )

    assert response.status_code == 403
    assert roles_of(member_admin, commune) == {Role.MEMBER_ADMIN}
    assert audit_total() == before


def test_roles_of_another_members_person_are_not_found(login, member_admin, other_officer, other_commune):
    response = login(member_admin).post(
        roles_url(other_officer, other_commune), roles_data(other_commune, Role.MEMBER_ADMIN)
    )

    assert response.status_code == 404
    assert roles_of(other_officer, other_commune) == {Role.MEMBER_OFFICER}


def test_roles_change_needs_a_signed_in_person(client, officer, commune):
    assert_redirects_to_login(client.post(roles_url(officer, commune), roles_data(commune, Role.FINANCE)))
    assert roles_of(officer, commune) == {Role.MEMBER_OFFICER}


# --- Removal and invitation reminders ----------------------------------------------------------


def test_member_admin_removes_a_person_from_the_organisation(login, member_admin, officer, commune):
    before = audit_total()

    response = login(member_admin).post(reverse("person_remove", args=[officer.pk, commune.pk]))

    assert response.status_code == 302
    assert response.url == reverse("people")
    assert roles_of(officer, commune) == set()
    officer.refresh_from_db()
    assert officer.is_active is False
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "user.removed"


def test_removing_the_last_member_admin_is_refused(login, member_admin, commune):
    before = audit_total()

    response = login(member_admin).post(reverse("person_remove", args=[member_admin.pk, commune.pk]))

    assert response.status_code == 302
    assert response.url == reverse("person_detail", args=[member_admin.pk])
    assert roles_of(member_admin, commune) == {Role.MEMBER_ADMIN}
    assert audit_total() == before


def test_removal_is_forbidden_to_an_officer(login, officer, member_admin, commune):
    before = audit_total()

    response = login(officer).post(reverse("person_remove", args=[member_admin.pk, commune.pk]))

    assert response.status_code == 403
    assert roles_of(member_admin, commune) == {Role.MEMBER_ADMIN}
    assert audit_total() == before


def test_removal_from_another_member_is_not_found(login, member_admin, other_officer, other_commune):
    response = login(member_admin).post(reverse("person_remove", args=[other_officer.pk, other_commune.pk]))

    assert response.status_code == 404
    assert roles_of(other_officer, other_commune) == {Role.MEMBER_OFFICER}


def test_removal_answers_only_to_post(login, member_admin, officer, commune):
    assert login(member_admin).get(reverse("person_remove", args=[officer.pk, commune.pk])).status_code == 405


def test_invitation_is_sent_again(login, member_admin, commune, mailoutbox, django_capture_on_commit_callbacks):
    pending = pending_invitation(commune)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(member_admin).post(reverse("person_resend_invitation", args=[pending.pk, commune.pk]))

    assert response.status_code == 302
    assert [mail.to for mail in mailoutbox] == [[pending.email]]


def test_invitation_of_someone_already_signed_in_is_not_sent_again(login, member_admin, officer, commune, mailoutbox):
    officer.last_login = officer.date_joined
    officer.save(update_fields=["last_login"])

    response = login(member_admin).post(reverse("person_resend_invitation", args=[officer.pk, commune.pk]))

    assert "already accepted the invitation" in messages_of(response)[0]
    assert mailoutbox == []


def test_invitation_reminder_is_forbidden_to_an_officer(login, officer, commune, mailoutbox):
    pending = pending_invitation(commune)

    response = login(officer).post(reverse("person_resend_invitation", args=[pending.pk, commune.pk]))

    assert response.status_code == 403
    assert mailoutbox == []
