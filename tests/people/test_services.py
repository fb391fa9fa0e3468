"""The core's writes (hubsite.people.services) and the outbox they write to
(hubsite.notify.services), called directly."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.utils import timezone

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver, message_queue, pending_message_ids
from hubsite.people import services
from hubsite.people.models import (
    Consent,
    Group,
    GroupMembership,
    Locality,
    Person,
    Role,
    Tag,
    User,
)
from tests.people.factories import (
    ConsentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalityFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# People --------------------------------------------------------------------------------


def test_person_create_stores_the_email_in_lower_case_with_tags_and_consents():
    recorder = UserFactory(role=Role.STAFF)
    carers = TagFactory()

    person = services.person_create(
        first_name="Nadia",
        email="  Nadia@Example.TEST ",
        tags=[carers],
        consents=[Consent.Purpose.CONTACT_EMAIL],
        consent_method=Consent.Method.PAPER,
        created_by=recorder,
    )

    assert person.email == "nadia@example.test"
    assert list(person.tags.all()) == [carers]
    consent = person.consents.get()
    assert (consent.purpose, consent.given, consent.method, consent.recorded_by) == (
        Consent.Purpose.CONTACT_EMAIL,
        True,
        Consent.Method.PAPER,
        recorder,
    )


def test_person_create_records_consent_as_online_by_default():
    person = services.person_create(first_name="Nadia", consents=[Consent.Purpose.SHOW_NAME])

    assert person.consents.get().method == Consent.Method.ONLINE


@pytest.mark.parametrize(
    "email", ["grace@example.test", "GRACE@example.TEST", " grace@example.test "]
)
def test_person_create_with_a_known_email_raises_on_the_email_field(email):
    PersonFactory(first_name="Grace", last_name="Obi", email="grace@example.test")

    with pytest.raises(ValidationError) as raised:
        services.person_create(first_name="Other", email=email)

    assert list(raised.value.error_dict) == ["email"]
    assert raised.value.message_dict["email"] == ["Grace Obi already has this email address."]
    assert Person.objects.count() == 1


def test_person_create_without_email_never_clashes():
    services.person_create(first_name="One")
    services.person_create(first_name="Two", email="")

    assert Person.objects.filter(email="").count() == 2


def test_a_consent_with_an_unknown_purpose_at_creation_saves_nothing():
    with pytest.raises(ValidationError):
        services.person_create(first_name="Nadia", consents=["telepathy"])

    assert not Person.objects.exists()


def test_person_update_to_another_persons_email_raises_on_the_email_field():
    PersonFactory(email="grace@example.test")
    person = PersonFactory(email="lee@example.test")

    with pytest.raises(ValidationError) as raised:
        services.person_update(person=person, email="Grace@Example.test")

    assert list(raised.value.error_dict) == ["email"]
    person.refresh_from_db()
    assert person.email == "lee@example.test"


def test_person_update_saves_fields_and_tags():
    person = PersonFactory(email="lee@example.test", tags=[TagFactory()])
    cyclists = TagFactory()

    services.person_update(
        person=person, first_name="Leigh", email="LEE@example.test", tags=[cyclists]
    )

    person.refresh_from_db()
    assert (person.first_name, person.email) == ("Leigh", "lee@example.test")
    assert list(person.tags.all()) == [cyclists]


# Consent -------------------------------------------------------------------------------


def test_consent_record_appends_and_never_rewrites():
    person = PersonFactory()

    first = services.consent_record(
        person=person, purpose="contact_email", given=True, method="verbal"
    )
    second = services.consent_record(
        person=person, purpose="contact_email", given=False, method="email", note="Replied STOP"
    )

    first.refresh_from_db()
    assert first.given is True
    assert list(person.consents.all()) == [second, first]


@pytest.mark.parametrize(
    ("purpose", "method"), [("telepathy", "verbal"), ("contact_email", "pigeon")]
)
def test_consent_record_refuses_unknown_purposes_and_methods(purpose, method):
    person = PersonFactory()

    with pytest.raises(ValidationError):
        services.consent_record(person=person, purpose=purpose, given=True, method=method)

    assert not Consent.objects.exists()


# Groups, localities, communities -------------------------------------------------------


def test_group_create_strips_the_name_and_makes_a_slug():
    group = services.group_create(name="  Tenants United ", kind=Group.Kind.RESIDENTS)

    assert (group.name, group.slug) == ("Tenants United", "tenants-united")


@pytest.mark.parametrize("name", ["new", "New", "NEW!"])
def test_group_create_never_takes_a_slug_that_a_page_uses(name):
    group = services.group_create(name=name)

    assert group.slug == "new-group"


def test_group_create_with_an_unsluggable_name_gets_a_slug():
    first = services.group_create(name="!!!")
    second = services.group_create(name="???")

    assert (first.slug, second.slug) == ("group", "group-2")


def test_group_create_refuses_a_known_name_in_any_case():
    GroupFactory(name="Choir")

    with pytest.raises(ValidationError) as raised:
        services.group_create(name=" CHOIR ")

    assert "name" in raised.value.error_dict
    assert Group.objects.count() == 1


def test_group_update_refuses_another_groups_name_but_not_its_own():
    group = GroupFactory(name="Choir")
    GroupFactory(name="Band")

    services.group_update(group=group, name="Choir", description="Sings")
    with pytest.raises(ValidationError):
        services.group_update(group=group, name="BAND")

    group.refresh_from_db()
    assert (group.name, group.description) == ("Choir", "Sings")


def test_group_member_add_twice_raises_and_keeps_one_row():
    person, group = PersonFactory(), GroupFactory()
    services.group_member_add(group=group, person=person)

    with pytest.raises(ValidationError):
        services.group_member_add(group=group, person=person, role=GroupMembership.Role.LEADER)

    assert GroupMembership.objects.get().role == GroupMembership.Role.MEMBER


def test_group_member_set_role_and_remove():
    membership = GroupMembershipFactory()

    services.group_member_set_role(membership=membership, role=GroupMembership.Role.LEADER)
    with pytest.raises(ValidationError):
        services.group_member_set_role(membership=membership, role="emperor")
    membership.refresh_from_db()
    assert membership.role == GroupMembership.Role.LEADER

    GroupMembershipFactory(group=membership.group, role=GroupMembership.Role.ORGANISER)
    services.group_member_remove(membership=membership)
    assert not GroupMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("kind", [Group.Kind.SELF_ORGANISED, Group.Kind.RESIDENTS])
@pytest.mark.parametrize("role", [GroupMembership.Role.ORGANISER, GroupMembership.Role.LEADER])
def test_the_last_organiser_or_leader_of_a_group_is_neither_removed_nor_made_a_member(kind, role):
    last = GroupMembershipFactory(group__kind=kind, role=role)
    GroupMembershipFactory(group=last.group)  # a member does not run the group

    with pytest.raises(ValidationError, match="only organiser or leader"):
        services.group_member_set_role(membership=last, role=GroupMembership.Role.MEMBER)
    with pytest.raises(ValidationError, match="First make another member an organiser"):
        services.group_member_remove(membership=last)

    last.refresh_from_db()
    assert last.role == role


def test_an_organiser_steps_down_once_someone_else_runs_the_group():
    first = GroupMembershipFactory(role=GroupMembership.Role.ORGANISER)
    second = GroupMembershipFactory(group=first.group, role=GroupMembership.Role.MEMBER)

    services.group_member_set_role(membership=second, role=GroupMembership.Role.LEADER)
    services.group_member_set_role(membership=first, role=GroupMembership.Role.MEMBER)
    services.group_member_remove(membership=first)
    services.group_member_set_role(membership=second, role=GroupMembership.Role.ORGANISER)

    assert list(first.group.memberships.values_list("role", flat=True)) == ["organiser"]


def test_a_group_nobody_runs_can_still_lose_its_members():
    membership = GroupMembershipFactory()

    services.group_member_remove(membership=membership)

    assert not GroupMembership.objects.exists()


def test_only_staff_change_the_kind_of_a_group():
    group = GroupFactory(kind=Group.Kind.SELF_ORGANISED, name="Allotment")
    member = UserFactory(role=Role.MEMBER)
    organiser = UserFactory(role=Role.ORGANISER)

    for user in (member, organiser):
        with pytest.raises(ValidationError, match="Only the hub's staff"):
            services.group_update(group=group, updated_by=user, kind=Group.Kind.OTHER)
    services.group_update(group=group, updated_by=member, kind=group.kind, name="Allotments")
    group.refresh_from_db()
    assert (group.kind, group.name) == (Group.Kind.SELF_ORGANISED, "Allotments")

    services.group_update(
        group=group, updated_by=UserFactory(role=Role.STAFF), kind=Group.Kind.OTHER
    )
    group.refresh_from_db()
    assert group.kind == Group.Kind.OTHER


def test_locality_create_refuses_a_known_name_and_reserves_new():
    LocalityFactory(name="Riverside")

    with pytest.raises(ValidationError):
        services.locality_create(name="riverside")
    new = services.locality_create(name="New")

    assert new.slug == "new-locality"
    assert Locality.objects.count() == 2


def test_tag_create_refuses_a_known_name():
    services.tag_create(name="Cyclists")

    with pytest.raises(ValidationError) as raised:
        services.tag_create(name=" CYCLISTS")

    assert "name" in raised.value.error_dict
    assert Tag.objects.count() == 1


def test_tag_create_keeps_the_slug_within_its_column_when_names_collide():
    long_name = "-".join(["abc"] * 20)  # 79 characters
    services.tag_create(name=long_name + "d")  # 80 characters, the most a name may have

    tag = services.tag_create(name=long_name.replace("-", " ") + "d")  # same slug

    assert len(tag.slug) <= Tag._meta.get_field("slug").max_length


# Accounts ------------------------------------------------------------------------------


def test_user_invite_opens_an_account_and_writes_one_account_message(
    django_capture_on_commit_callbacks,
):
    inviter = UserFactory(role=Role.STAFF)
    person = PersonFactory(first_name="Nadia", email="nadia@example.test")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = services.user_invite(
            person=person, role=Role.ORGANISER, invited_by=inviter, site_url="https://hub.test"
        )

    person.refresh_from_db()
    assert person.user == user
    assert (user.email, user.role, user.is_active) == ("nadia@example.test", "organiser", True)
    assert not user.has_usable_password()
    message = OutboxMessage.objects.get()
    assert (message.category, message.to_email, message.person) == (
        OutboxMessage.Category.ACCOUNT,
        "nadia@example.test",
        person,
    )
    assert "https://hub.test/people/invite/" in message.body_text
    assert "organiser" in message.body_text
    assert len(callbacks) == 1


@pytest.mark.parametrize("role", ["", "emperor"])
def test_user_invite_refuses_an_unknown_role(role):
    person = PersonFactory()

    with pytest.raises(ValidationError):
        services.user_invite(person=person, role=role, invited_by=None, site_url="")

    assert not User.objects.exists()


def test_user_invite_refuses_a_person_without_email_or_with_an_account():
    no_email = PersonFactory(email="")
    has_account = PersonFactory(user=UserFactory())

    for person in (no_email, has_account):
        with pytest.raises(ValidationError):
            services.user_invite(person=person, role="member", invited_by=None, site_url="")

    assert User.objects.count() == 1
    assert not OutboxMessage.objects.exists()


def test_invite_accept_sets_the_password_and_verifies_the_address():
    person = PersonFactory(email="nadia@example.test")
    user = services.user_invite(person=person, role="member", invited_by=None, site_url="")
    assert not EmailAddress.objects.get(user=user).verified  # not until they follow the link

    services.invite_accept(user=user, password="Orchard-lantern-47")

    user.refresh_from_db()
    assert user.check_password("Orchard-lantern-47")
    address = EmailAddress.objects.get(user=user)
    assert (address.verified, address.primary) == (True, True)


def test_user_set_role_refuses_an_unknown_role():
    user = UserFactory(role=Role.MEMBER)

    services.user_set_role(user=user, role=Role.VOLUNTEER)
    with pytest.raises(ValidationError):
        services.user_set_role(user=user, role="emperor")

    user.refresh_from_db()
    assert user.role == Role.VOLUNTEER


def test_person_link_user_links_the_person_with_the_same_email():
    person = PersonFactory(email="nadia@example.test")
    user = UserFactory(email="nadia@example.test")

    assert services.person_link_user(user=user) == person
    person.refresh_from_db()
    assert person.user == user


def test_person_link_user_never_hands_a_linked_person_to_a_second_account():
    PersonFactory(email="nadia@example.test", user=UserFactory(email="old@example.test"))
    user = UserFactory(email="NADIA@example.test")

    with pytest.raises(ValidationError):
        services.person_link_user(user=user)


def test_person_link_user_creates_a_person_when_none_is_known():
    user = UserFactory(email="sam.jones@example.test")

    person = services.person_link_user(user=user)

    assert (person.first_name, person.email, person.user) == ("sam.jones", user.email, user)


# Subject access and erasure ------------------------------------------------------------


@pytest.fixture
def known_person():
    person = PersonFactory(
        first_name="Nadia",
        last_name="Rahman",
        email="nadia@example.test",
        phone="07700 900123",
        postcode="AB1 2CD",
        locality=LocalityFactory(name="Riverside"),
        tags=[TagFactory(name="Young carers")],
        first_contact=Person.FirstContact.DOORSTEP,
        user=UserFactory(email="nadia@example.test", role=Role.VOLUNTEER),
    )
    EmailAddress.objects.create(user=person.user, email=person.email, verified=True, primary=True)
    now = timezone.now()
    ConsentFactory(person=person, given=True, recorded_at=now - timedelta(days=2))
    ConsentFactory(person=person, given=False, recorded_at=now - timedelta(days=1), note="STOP")
    GroupMembershipFactory(
        person=person, group=GroupFactory(name="Choir"), role=GroupMembership.Role.LEADER
    )
    return person


def test_personal_data_export_holds_the_persons_fields_consents_and_groups(known_person):
    export = services.personal_data_export(person=known_person)

    core = export["people"]["data"]
    assert core["person"] | {"created_at": None} == {
        "first_name": "Nadia",
        "last_name": "Rahman",
        "email": "nadia@example.test",
        "phone": "07700 900123",
        "postcode": "AB1 2CD",
        "locality": "Riverside",
        "communities_of_interest": ["Young carers"],
        "first_contact": "Door-knocking",
        "languages": "",
        "accessibility_needs": "",
        "created_at": None,
        "account_role": "volunteer",
    }
    assert [(c["purpose"], c["given"], c["note"]) for c in core["consents"]] == [
        ("Contact by email", True, ""),
        ("Contact by email", False, "STOP"),
    ]
    assert [(g["group"], g["role"]) for g in core["groups"]] == [("Choir", "Leader")]
    assert export["people"]["label"]


def test_personal_data_export_is_json_serialisable(known_person):
    json.dumps(services.personal_data_export(person=known_person))


def test_person_erase_removes_the_person_their_consents_and_memberships(known_person):
    group = known_person.memberships.get().group
    other = PersonFactory()
    ConsentFactory(person=other)
    GroupMembershipFactory(person=other, group=group)

    services.person_erase(person=known_person)

    assert not Person.objects.filter(pk=known_person.pk).exists()
    assert list(Consent.objects.values_list("person", flat=True)) == [other.pk]
    assert list(GroupMembership.objects.values_list("person", flat=True)) == [other.pk]
    assert Group.objects.filter(pk=group.pk).exists()


def test_person_erase_closes_their_account(known_person):
    user = known_person.user

    services.person_erase(person=known_person)

    user.refresh_from_db()
    assert not user.is_active
    assert user.email == f"erased-{user.pk}@invalid"
    assert "nadia" not in user.email
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email__iexact="nadia@example.test").exists()


def test_person_erase_of_a_person_without_an_account():
    person = PersonFactory()
    ConsentFactory(person=person)

    services.person_erase(person=person)

    assert not Person.objects.exists()
    assert not Consent.objects.exists()


def test_person_erase_leaves_no_message_with_their_address(known_person):
    message_queue(
        key="test:nadia",
        person=known_person,
        to_email=known_person.email,
        subject="Hello",
        body_text="Hello Nadia Rahman",
        category=OutboxMessage.Category.ACCOUNT,
    )

    services.person_erase(person=known_person)

    assert not OutboxMessage.objects.filter(to_email__iexact="nadia@example.test").exists()
    assert not OutboxMessage.objects.filter(body_text__contains="Nadia").exists()


# The outbox ----------------------------------------------------------------------------


def queue(person, key="test:1", category=OutboxMessage.Category.CONTACT):
    return message_queue(
        key=key,
        person=person,
        to_email=person.email,
        subject="News",
        body_text="Hello",
        category=category,
    )


def test_a_contact_message_needs_email_consent():
    without = PersonFactory()
    withdrawn = PersonFactory()
    ConsentFactory(person=withdrawn, given=True, recorded_at=timezone.now() - timedelta(days=1))
    ConsentFactory(person=withdrawn, given=False)

    assert queue(without, "a") is None
    assert queue(withdrawn, "b") is None
    assert not OutboxMessage.objects.exists()


def test_an_account_message_needs_no_consent():
    assert queue(PersonFactory(), category=OutboxMessage.Category.ACCOUNT) is not None


def test_a_second_message_with_the_same_key_is_the_first():
    person = PersonFactory()
    ConsentFactory(person=person)

    first, second = queue(person), queue(person)

    assert first == second
    assert OutboxMessage.objects.count() == 1


def test_message_deliver_sends_once_and_marks_it_sent(mailoutbox):
    person = PersonFactory(email="nadia@example.test")
    ConsentFactory(person=person)
    message = queue(person)

    delivered = message_deliver(message_id=message.pk)
    again = message_deliver(message_id=message.pk)

    assert delivered.status == OutboxMessage.Status.SENT
    assert delivered.sent_at is not None
    assert again is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nadia@example.test"]
    assert mailoutbox[0].extra_headers["X-Hub-Message"] == "test:1"


def test_message_deliver_cancels_when_consent_was_withdrawn_after_queueing(mailoutbox):
    person = PersonFactory()
    ConsentFactory(person=person, recorded_at=timezone.now() - timedelta(minutes=1))
    message = queue(person)
    ConsentFactory(person=person, given=False)

    delivered = message_deliver(message_id=message.pk)

    assert delivered.status == OutboxMessage.Status.CANCELLED
    assert mailoutbox == []


def test_an_invitation_is_delivered_through_the_outbox(mailoutbox):
    person = PersonFactory(email="nadia@example.test")
    services.user_invite(person=person, role="member", invited_by=None, site_url="https://hub.test")
    message = OutboxMessage.objects.get()

    message_deliver(message_id=message.pk)

    assert len(mailoutbox) == 1
    assert "https://hub.test/people/invite/" in mailoutbox[0].body


def test_pending_messages_are_picked_up_by_the_retry_tick():
    person = PersonFactory()
    message = queue(person, category=OutboxMessage.Category.ACCOUNT)
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    assert pending_message_ids(older_than_seconds=60) == [message.pk]
    message_deliver(message_id=message.pk)
    assert pending_message_ids(older_than_seconds=60) == []


def test_an_unused_invitation_can_be_sent_again_with_a_fresh_row():
    person = PersonFactory(email="nadia@example.test")
    services.user_invite(person=person, role="member", invited_by=None, site_url="")
    services.user_invite_resend(person=person, invited_by=None, site_url="")
    keys = sorted(OutboxMessage.objects.values_list("key", flat=True))
    assert len(keys) == 2 and keys[0] != keys[1]


def test_an_invitation_is_not_sent_again_once_the_account_is_in_use():
    person = PersonFactory(email="nadia@example.test")
    user = services.user_invite(person=person, role="member", invited_by=None, site_url="")
    services.invite_accept(user=user, password="Orchard-lantern-47")
    with pytest.raises(ValidationError):
        services.user_invite_resend(person=person, invited_by=None, site_url="")


def test_a_role_other_than_staff_takes_the_admin_site_away():
    user = UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)
    services.user_set_role(user=user, role=Role.MEMBER)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_invitation_emails_are_plain_text_not_html_escaped():
    person = PersonFactory(first_name="D'Arcy", email="darcy@example.test")
    services.user_invite(person=person, role="member", invited_by=None, site_url="")
    body = OutboxMessage.objects.get().body_text
    assert "Hello D'Arcy" in body
    assert "&#x27;" not in body


def test_person_update_refuses_to_change_the_address_someone_signs_in_with():
    user = UserFactory(email="login@example.test")
    person = PersonFactory(email="login@example.test", user=user)
    with pytest.raises(ValidationError) as error:
        services.person_update(person=person, email="other@example.test")
    assert "email" in error.value.error_dict
    person.refresh_from_db()
    assert person.email == "login@example.test"
