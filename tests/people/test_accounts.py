"""Accounts with django-allauth: sign-up with email verification through the outbox, the
Person that comes with an account, sign-in and password reset."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Person, Role, User


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def link_in(body):
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


@pytest.mark.django_db
def test_signing_up_sends_a_verification_email_and_confirming_it_links_the_known_person(client):
    known = Person.objects.create(
        first_name="Nadia", last_name="Hussain", email="nadia@example.test"
    )
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Nadia@Example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="nadia@example.test")
    assert user.role == Role.MEMBER
    # The address is not verified yet: the known person is not handed over.
    known.refresh_from_db()
    assert known.user is None

    message = OutboxMessage.objects.get()
    assert message.category == OutboxMessage.Category.ACCOUNT
    deliver_all()
    assert len(mail.outbox) == 1
    confirm_url = link_in(mail.outbox[0].body)

    client.post(confirm_url)
    known.refresh_from_db()
    assert known.user == user
    assert Person.objects.count() == 1
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_confirming_an_address_nobody_knows_creates_a_person(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    deliver_all()
    client.post(link_in(mail.outbox[0].body))
    person = Person.objects.get(email="new@example.test")
    assert person.user.email == "new@example.test"


@pytest.mark.django_db
def test_an_unverified_account_cannot_sign_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.test", "password": "a-long-pass-phrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_second_sign_up_with_the_same_address_creates_no_second_account(client, member_user):
    response = client.post(
        reverse("account_signup"),
        {
            "email": member_user.email.upper(),
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact=member_user.email).count() == 1


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_a_message(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_in_and_out(client, staff_user):
    response = client.post(
        reverse("account_login"), {"login": staff_user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == staff_user
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_wrong_password_says_so_without_saying_whether_the_account_exists(client, staff_user):
    wrong = client.post(
        reverse("account_login"), {"login": staff_user.email, "password": "nope-nope"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


@pytest.mark.django_db
def test_password_reset_goes_through_the_outbox_and_sets_a_new_password(client, member_user):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    deliver_all()
    assert len(mail.outbox) == 1
    url = link_in(mail.outbox[0].body)
    response = client.get(url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else url
    response = client.post(
        form_url, {"password1": "another-long-phrase", "password2": "another-long-phrase"}
    )
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert member_user.check_password("another-long-phrase")


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    deliver_all()
    # allauth tells an unknown address that it has no account, without telling the requester.
    assert all("nobody@example.test" in m.to for m in mail.outbox)


@pytest.mark.django_db
def test_sign_up_can_be_closed(client, settings):
    settings.SIGNUP_OPEN = False
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert not User.objects.exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_account_emails_name_the_hub(client, settings):
    settings.HUB_NAME = "Kelmington Hub"
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    deliver_all()
    assert "Kelmington Hub" in mail.outbox[0].body


@pytest.mark.django_db
def test_confirming_an_address_held_by_another_accounts_person_does_not_fail(client):
    other = User.objects.create_user(email="other@example.test", password="x-long-password")
    Person.objects.create(first_name="Held", email="held@example.test", user=other)
    client.post(
        reverse("account_signup"),
        {
            "email": "held@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    deliver_all()
    response = client.post(link_in(mail.outbox[0].body))
    assert response.status_code == 302
    assert Person.objects.get(email="held@example.test").user == other


@pytest.mark.django_db
def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_staff_must_set_up_a_second_factor_when_it_is_required(
    settings, staff_client, staff_user, member_client
):
    settings.STAFF_MFA_REQUIRED = True
    response = staff_client.get(reverse("people:person_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert staff_client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    # Members are not asked.
    assert member_client.get(reverse("home")).status_code == 200

    Authenticator.objects.create(user=staff_user, type=Authenticator.Type.TOTP, data={})
    assert staff_client.get(reverse("people:person_list")).status_code == 200


@pytest.mark.django_db
def test_the_second_factor_is_not_required_on_the_embedded_default(staff_client):
    assert staff_client.get(reverse("people:person_list")).status_code == 200


@pytest.mark.django_db
def test_a_verified_change_of_login_address_moves_the_persons_address(member_user):
    from allauth.account.signals import email_changed

    old = EmailAddress.objects.get(user=member_user)
    new = EmailAddress.objects.create(user=member_user, email="moved@example.test", verified=True)
    email_changed.send(
        sender=User, request=None, user=member_user, from_email_address=old, to_email_address=new
    )
    member_user.person.refresh_from_db()
    assert member_user.person.email == "moved@example.test"


@pytest.mark.django_db
def test_a_login_address_another_person_holds_is_not_taken_over(member_user):
    from allauth.account.signals import email_changed

    Person.objects.create(first_name="Other", email="taken@example.test")
    old = EmailAddress.objects.get(user=member_user)
    new = EmailAddress.objects.create(user=member_user, email="taken@example.test", verified=True)
    email_changed.send(
        sender=User, request=None, user=member_user, from_email_address=old, to_email_address=new
    )
    member_user.person.refresh_from_db()
    assert member_user.person.email == member_user.email


@pytest.mark.django_db
def test_an_admin_superuser_without_the_staff_role_also_needs_the_second_factor(settings, client):
    settings.STAFF_MFA_REQUIRED = True
    user = User.objects.create_user(
        email="root@example.test", password="x", role=Role.MEMBER, is_superuser=True, is_staff=True
    )
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_with_an_unverified_address_can_still_reach_their_email_page(settings, staff_client):
    settings.STAFF_MFA_REQUIRED = True
    assert staff_client.get(reverse("account_email")).status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_is_moved_whole_to_the_second_factor_setup(settings, staff_client):
    settings.STAFF_MFA_REQUIRED = True
    response = staff_client.get(reverse("people:person_list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("mfa_activate_totp")
