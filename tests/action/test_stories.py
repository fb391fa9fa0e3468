"""Stories: never public before staff approve them or after their teller withdraws consent,
credited as the teller chose, photos served only through the hub's own checks, a visitor's
address proven before they write, and bad input refused with nothing saved."""

import io
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from action.models import Story
from action.services import stories as services
from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_deliver
from hubsite.people.models import Person, Role
from tests.action.factories import CampaignFactory, StoryFactory
from tests.conftest import make_user
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TEXT = "When the lift broke I carried my shopping up nine floors for a month."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Photos land in a folder of this test's own, to prove what is (not) left on disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(folder):
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def image_bytes(kind="JPEG", size=(60, 40), artist=None, mode="RGB", **options):
    image = Image.new(mode, size, "teal" if mode == "RGB" else 128)
    if artist:
        exif = Image.Exif()
        exif[0x013B] = artist  # the EXIF "Artist" tag: what a camera may write in a photo
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def upload(data=None, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, image_bytes() if data is None else data, content_type)


def story_with_photo(**fields):
    story = StoryFactory(photo_alt="A lift with a broken sign on its door", **fields)
    story.photo.save("lift.jpg", ContentFile(image_bytes()), save=True)
    return story


def public_story(**fields):
    return story_with_photo(status=Story.Status.APPROVED, published_at=timezone.now(), **fields)


def tell(client, **data):
    fields = {"title": "Nine floors", "text": TEXT, "credit": "first_name"}
    fields.update(data)
    return client.post(reverse("action:story_create"), fields)


def review(client, story, decision, note=""):
    return client.post(
        reverse("action:story_review", args=[story.pk]), {"decision": decision, "note": note}
    )


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        message_deliver(message_id=pk)


def link_in(message, part):
    url = next(url for url in re.findall(r"https?://\S+", message.body) if part in url)
    return urlparse(url).path


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def where_seen(client, story):
    """Where ``client`` sees ``story``: the list, its page, its photo, its campaign's page."""
    list_page = client.get(reverse("action:story_list")).content.decode()
    detail = client.get(story.get_absolute_url())
    photo = client.get(reverse("action:story_photo", args=[story.pk]))
    campaign_page = client.get(story.campaign.get_absolute_url()).content.decode()
    seen = {
        "list": story.title in list_page,
        "detail": detail.status_code == 200,
        "photo": photo.status_code == 200,
        "campaign": story.title in campaign_page,
    }
    assert detail.status_code in (200, 404) and photo.status_code in (200, 404)
    return seen


NOWHERE = {"list": False, "detail": False, "photo": False, "campaign": False}
EVERYWHERE = {"list": True, "detail": True, "photo": True, "campaign": True}


# Never public before approval ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "consent"),
    [
        (Story.Status.SUBMITTED, True),
        (Story.Status.CHANGES, True),
        (Story.Status.REJECTED, True),
        (Story.Status.APPROVED, False),  # approved, but its teller has not consented
    ],
)
def test_a_story_is_public_only_once_approved_and_consented(client, member_client, status, consent):
    story = story_with_photo(campaign=CampaignFactory(), status=status, consent_to_publish=consent)
    assert where_seen(client, story) == NOWHERE
    assert where_seen(member_client, story) == NOWHERE
    assert not story.is_public


def test_approval_publishes_it_everywhere(client, member_client, member_user, staff_client):
    campaign = CampaignFactory()
    response = member_client.post(
        reverse("action:story_create"),
        {
            "title": "Nine floors",
            "text": TEXT,
            "credit": "first_name",
            "campaign": campaign.pk,
            "consent_to_publish": "on",
            "photo": upload(),
            "photo_alt": "The broken lift",
        },
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert (story.person, story.status) == (member_user.person, Story.Status.SUBMITTED)
    assert where_seen(client, story) == NOWHERE

    assert review(staff_client, story, "approve").status_code == 302
    story.refresh_from_db()
    assert (story.status, story.moderated_by.role) == (Story.Status.APPROVED, Role.STAFF)
    assert story.published_at is not None
    assert where_seen(client, story) == EVERYWHERE
    assert where_seen(member_client, story) == EVERYWHERE
    page = client.get(story.get_absolute_url()).content.decode()
    photo_url = reverse("action:story_photo", args=[story.pk])
    assert f'<img src="{photo_url}" alt="The broken lift">' in page


def test_the_teller_and_staff_see_a_story_before_it_is_public(
    member_user, member_client, staff_client, organiser_client
):
    story = story_with_photo(person=member_user.person, campaign=CampaignFactory())
    for client in (member_client, staff_client):
        page = client.get(story.get_absolute_url())
        assert page.status_code == 200
        assert "Not public" in page.content.decode()
        assert client.get(reverse("action:story_photo", args=[story.pk])).status_code == 200
    assert where_seen(organiser_client, story) == NOWHERE


# Withdrawing consent ------------------------------------------------------------------------


def test_withdrawing_consent_unpublishes_at_once_and_blocks_approval(
    client, member_user, member_client, staff_client
):
    story = public_story(person=member_user.person, campaign=CampaignFactory())
    assert where_seen(client, story) == EVERYWHERE

    response = member_client.post(
        reverse("action:story_consent", args=[story.pk]), {"consent": "withdraw"}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.consent_to_publish
    assert where_seen(client, story) == NOWHERE
    assert where_seen(staff_client, story)["list"] is False

    # Staff cannot put it back while consent is withdrawn, whatever its state.
    story.status = Story.Status.SUBMITTED
    story.save()
    response = review(staff_client, story, "approve")
    assert response.status_code == 400
    assert "cannot be approved until they give it" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    assert where_seen(client, story) == NOWHERE

    # Consent given again: staff read it again before it is back up.
    member_client.post(reverse("action:story_consent", args=[story.pk]), {"consent": "give"})
    assert where_seen(client, story) == NOWHERE
    assert review(staff_client, story, "approve").status_code == 302
    assert where_seen(client, story) == EVERYWHERE


def test_consent_given_again_to_an_approved_story_sends_it_back_to_staff(client):
    story = public_story(campaign=CampaignFactory())
    services.story_consent(story=story, give=False)
    services.story_consent(story=story, give=True)
    story.refresh_from_db()
    assert (story.status, story.consent_to_publish) == (Story.Status.SUBMITTED, True)
    assert where_seen(client, story) == NOWHERE


def test_the_teller_withdraws_from_the_link_in_their_email_without_signing_in(client, staff_user):
    story = StoryFactory(campaign=CampaignFactory())
    services.story_moderate(story=story, by=staff_user, decision="approve")
    deliver_all()
    (message,) = mail.outbox
    assert message.to == [story.person.email]
    assert story.get_absolute_url() in message.body
    teller_page = link_in(message, "/stories/yours/")

    page = client.get(teller_page)
    assert page.status_code == 200
    assert "Withdraw my consent" in page.content.decode()
    story.refresh_from_db()
    assert story.is_public  # following the link (a mail scanner) changes nothing

    assert client.post(teller_page, {"consent": "withdraw"}).status_code == 302
    story.refresh_from_db()
    assert not story.consent_to_publish
    assert where_seen(client, story) == NOWHERE


def test_a_teller_link_that_was_tampered_with_does_not_work(client):
    story = StoryFactory()
    token = services.teller_token(story)
    forged = token.replace(token[-5:], "abcde")
    response = client.post(reverse("action:story_teller", args=[forged]), {"consent": "give"})
    assert response.status_code == 400
    assert client.get(reverse("action:story_teller_photo", args=[forged])).status_code == 404


def test_a_teller_manages_only_their_own_stories(member_client):
    other = public_story(campaign=CampaignFactory())
    response = member_client.post(
        reverse("action:story_consent", args=[other.pk]), {"consent": "withdraw"}
    )
    assert response.status_code == 404
    assert member_client.get(reverse("action:story_edit", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_public


def test_my_stories_lists_mine_whatever_their_state(member_user, member_client):
    mine = StoryFactory(person=member_user.person, title="My own words")
    StoryFactory(title="Someone else's")
    page = member_client.get(reverse("action:story_mine")).content.decode()
    assert mine.title in page
    assert "Someone else" not in page
    assert "Waiting for review" in page


# Asking for changes, rejecting, editing ----------------------------------------------------


def test_asking_for_changes_needs_a_note_and_reaches_the_teller(client, staff_client):
    story = StoryFactory(campaign=CampaignFactory())
    response = review(staff_client, story, "changes")
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    assert not OutboxMessage.objects.exists()

    note = "Please leave out your neighbour's name."
    assert review(staff_client, story, "changes", note).status_code == 302
    story.refresh_from_db()
    assert (story.status, story.moderation_note) == (
        Story.Status.CHANGES,
        "Please leave out your neighbour's name.",
    )
    assert where_seen(client, story) == NOWHERE
    deliver_all()
    (message,) = mail.outbox
    assert "Please leave out your neighbour's name." in message.body
    assert OutboxMessage.objects.get().category == OutboxMessage.Category.ACCOUNT

    # The teller changes it from the link, and it goes back to staff.
    edit = link_in(message, "/stories/yours/").rstrip("/") + "/edit/"
    page = client.get(edit).content.decode()
    assert "Please leave out your neighbour" in page
    response = client.post(
        edit,
        {
            "title": story.title,
            "text": TEXT + " Now fixed.",
            "credit": "anonymous",
            "campaign": story.campaign_id,
        },
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.credit) == (Story.Status.SUBMITTED, "anonymous")
    assert story.text.endswith("Now fixed.")
    assert where_seen(client, story) == NOWHERE


def test_rejecting_keeps_it_private_for_good(client, staff_client, member_user, member_client):
    story = StoryFactory(person=member_user.person, campaign=CampaignFactory())
    assert review(staff_client, story, "reject", "It names a child.").status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED
    assert where_seen(client, story) == NOWHERE
    deliver_all()
    assert "decided not to publish it" in mail.outbox[0].body
    assert "It names a child." in mail.outbox[0].body

    assert review(staff_client, story, "approve").status_code == 400
    response = member_client.post(
        reverse("action:story_edit", args=[story.pk]),
        {"title": "Changed", "text": TEXT, "credit": "anonymous"},
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.title) == (Story.Status.REJECTED, "Stuck on the ninth floor")


def test_editing_an_approved_story_takes_it_down_until_staff_read_it_again(
    client, member_user, member_client, staff_client, media, django_capture_on_commit_callbacks
):
    story = public_story(person=member_user.person, campaign=CampaignFactory())
    old_photo = media / story.photo.name
    assert old_photo.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("action:story_edit", args=[story.pk]),
            {
                "title": "Again",
                "text": TEXT,
                "credit": "full_name",
                "campaign": story.campaign_id,
                "remove_photo": "on",
            },
        )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.published_at, story.photo.name) == (
        Story.Status.SUBMITTED,
        None,
        "",
    )
    assert not old_photo.exists()
    assert where_seen(client, story) == NOWHERE
    review(staff_client, story, "approve")
    story.refresh_from_db()
    assert story.is_public


def test_a_double_click_tells_the_story_once(member_client):
    tell(member_client)
    tell(member_client)
    assert Story.objects.count() == 1


# Credit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credit", "shown", "hidden"),
    [
        ("full_name", ["Amina Yusuf"], []),
        ("first_name", ["Amina"], ["Yusuf"]),
        ("anonymous", ["Anonymous"], ["Amina", "Yusuf", "amina@example.test"]),
    ],
)
def test_the_story_is_credited_as_its_teller_chose(client, staff_user, credit, shown, hidden):
    teller = make_user(Role.MEMBER, email="amina@example.test", first_name="Amina")
    Person.objects.filter(user=teller).update(last_name="Yusuf")
    campaign = CampaignFactory()
    response = signed_in(teller).post(
        reverse("action:story_create"),
        {
            "title": "Nine floors",
            "text": TEXT,
            "credit": credit,
            "campaign": campaign.pk,
            "consent_to_publish": "on",
            # A phone writes its owner's name (and where the photo was taken) into the file.
            "photo": upload(image_bytes(artist="Amina Yusuf")),
            "photo_alt": "The broken lift",
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    services.story_moderate(story=story, by=staff_user, decision="approve")

    pages = {
        "list": client.get(reverse("action:story_list")).content.decode(),
        "detail": client.get(story.get_absolute_url()).content.decode(),
        "campaign": client.get(campaign.get_absolute_url()).content.decode(),
    }
    photo = client.get(reverse("action:story_photo", args=[story.pk]))
    photo_bytes = b"".join(photo.streaming_content)
    for where, page in pages.items():
        for words in shown:
            assert words in page, where
        for words in hidden:
            assert words not in page, where
    for words in ["Amina", "Yusuf"]:
        assert words.encode() not in photo_bytes  # the photo was stored without its metadata
        assert words not in photo["Content-Disposition"]
    assert "amina" not in story.photo.name.lower()


# Photos -----------------------------------------------------------------------------------


def test_a_photo_is_streamed_by_the_hub_never_from_a_public_media_address(client):
    story = public_story(campaign=CampaignFactory())
    page = client.get(story.get_absolute_url()).content.decode()
    assert "/media/" not in page
    assert story.photo.name not in page
    photo = client.get(reverse("action:story_photo", args=[story.pk]))
    assert photo["Content-Type"] == "image/jpeg"
    assert "no-store" in photo["Cache-Control"]  # withdrawn consent is not served from a cache
    assert Image.open(io.BytesIO(b"".join(photo.streaming_content))).format == "JPEG"


def test_a_story_without_a_photo_has_no_photo_address(client):
    story = StoryFactory(status=Story.Status.APPROVED)
    assert client.get(reverse("action:story_photo", args=[story.pk])).status_code == 404


# Bad input --------------------------------------------------------------------------------

HUGE = image_bytes("PNG", size=(1600, 1200), compress_level=0)  # about 5.8 MB


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give your story a title."),
        ({"title": "   "}, "Give your story a title."),
        ({"text": ""}, "Tell your story: the box is empty."),
        ({"text": "   \n  "}, "Tell your story: the box is empty."),
        ({"text": "Too short."}, "Your story is very short"),
        ({"text": "x" * 10_001}, "please keep it under 10000"),
        ({"credit": "my cat"}, "Choose how you want to be credited."),
        ({"campaign": "999999"}, "Choose one of the campaigns in the list."),
        (
            {"photo": upload(b"I am not a photo at all", name="me.jpg"), "photo_alt": "Me"},
            "This file is not a photo we can show",
        ),
        (
            {"photo": upload(image_bytes("GIF"), name="me.gif"), "photo_alt": "Me"},
            "This file is not a photo we can show",
        ),
        (
            {"photo": upload(HUGE, name="big.png", content_type="image/png"), "photo_alt": "Me"},
            "The photo is too big (5.5 MB): the most is 5 MB.",
        ),
        ({"photo": upload()}, "Describe what the photo shows"),
        ({"photo": upload(), "photo_alt": "   "}, "Describe what the photo shows"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(member_client, media, data, message):
    response = tell(member_client, consent_to_publish="on", **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Story.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert files_in(media) == []


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(member_client, media):
    bomb = image_bytes("PNG", size=(8000, 6000), mode="L")  # small file, 48 million pixels
    response = tell(member_client, photo=upload(bomb, name="b.png"), photo_alt="A wall")
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()
    assert files_in(media) == []


def test_the_service_refuses_bad_input_too_and_leaves_no_file(member_user, media):
    with pytest.raises(ValidationError) as error:
        services.story_submit(
            user=member_user, title="Nine floors", text=TEXT, photo=upload(), photo_alt=""
        )
    assert "photo_alt" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.story_submit(
            user=member_user,
            title="Nine floors",
            text=TEXT,
            photo=upload(b"GIF89a nope"),
            photo_alt="A wall",
        )
    assert "photo" in error.value.message_dict
    assert not Story.objects.exists()
    assert files_in(media) == []


def test_a_bad_edit_changes_nothing(member_user, member_client, media):
    story = story_with_photo(person=member_user.person, status=Story.Status.APPROVED)
    before = files_in(media)
    response = member_client.post(
        reverse("action:story_edit", args=[story.pk]),
        {"title": "New", "text": "", "credit": "anonymous", "photo": upload(b"not an image")},
    )
    assert response.status_code == 400
    assert "Tell your story: the box is empty." in response.content.decode()
    story.refresh_from_db()
    assert (story.title, story.status) == ("Stuck on the ninth floor", Story.Status.APPROVED)
    assert files_in(media) == before


def test_a_bad_moderation_answer_changes_nothing(staff_client):
    story = StoryFactory()
    response = review(staff_client, story, "publish it to the moon")
    assert response.status_code == 400
    assert "Choose what to do with the story." in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED


def test_an_unknown_consent_answer_changes_nothing(member_user, member_client):
    story = public_story(person=member_user.person, campaign=CampaignFactory())
    response = member_client.post(
        reverse("action:story_consent", args=[story.pk]), {"consent": "maybe"}, follow=True
    )
    assert "Choose whether to publish your story" in response.content.decode()
    story.refresh_from_db()
    assert story.is_public


# Who moderates ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.VOLUNTEER, Role.MEMBER])
def test_only_staff_moderate(role):
    story = StoryFactory()
    client = signed_in(make_user(role))
    assert client.get(reverse("action:story_queue")).status_code == 403
    assert client.get(reverse("action:story_review", args=[story.pk])).status_code == 403
    assert review(client, story, "approve").status_code == 403
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in_to_moderate(client):
    story = StoryFactory()
    for response in (client.get(reverse("action:story_queue")), review(client, story, "approve")):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED


def test_staff_see_the_queue_with_who_told_each_story(staff_client):
    waiting = StoryFactory(title="Waiting one", consent_to_publish=False)
    StoryFactory(title="Done one", status=Story.Status.APPROVED)
    page = staff_client.get(reverse("action:story_queue")).content.decode()
    assert waiting.title in page and waiting.person.full_name in page
    assert "Not given" in page
    assert "Done one" not in page
    approved = staff_client.get(reverse("action:story_queue") + "?status=approved")
    assert "Done one" in approved.content.decode()


# A visitor without an account ---------------------------------------------------------------


def ask_for_link(client, **data):
    fields = {"first_name": "Amina", "last_name": "Yusuf", "email": "amina@example.test"}
    fields.update(data)
    return client.post(reverse("action:story_create"), fields)


def test_a_visitor_proves_their_address_before_writing(client, staff_client):
    campaign = CampaignFactory()
    start = client.get(reverse("action:story_create") + f"?campaign={campaign.slug}")
    assert "Email me the link" in start.content.decode()
    response = client.post(
        reverse("action:story_create") + f"?campaign={campaign.slug}",
        {"first_name": "Amina", "last_name": "Yusuf", "email": "Amina@Example.test"},
    )
    assert response["Location"] == reverse("action:story_link_sent")
    # Nobody is added to the hub for an address not yet proven.
    assert not Person.objects.filter(email__iexact="amina@example.test").exists()
    deliver_all()
    (message,) = mail.outbox
    assert message.to == ["amina@example.test"]
    write = link_in(message, "/stories/new/")

    form = client.get(write)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    assert form.context["form"]["campaign"].value() == campaign.pk
    response = client.post(
        write,
        {
            "title": "Nine floors",
            "text": TEXT,
            "credit": "first_name",
            "campaign": campaign.pk,
            "consent_to_publish": "on",
            "photo": upload(),
            "photo_alt": "The broken lift",
        },
    )
    story = Story.objects.get()
    assert response["Location"].startswith("/action/stories/yours/")
    assert (story.person.email, story.person.full_name) == ("amina@example.test", "Amina Yusuf")
    assert story.status == Story.Status.SUBMITTED
    assert story.title in staff_client.get(reverse("action:story_queue")).content.decode()
    # Their own page, from the link, shows the story and its photo before it is public.
    teller = client.get(response["Location"])
    assert "Waiting for review" in teller.content.decode()
    assert client.get(teller.context["photo_url"]).status_code == 200
    assert where_seen(client, story) == NOWHERE


def test_a_visitor_story_joins_the_person_the_hub_knows(client):
    known = PersonFactory(email="amina@example.test", first_name="Amina")
    visitor = {"email": "amina@example.test", "first_name": "Someone", "last_name": ""}
    token = services.write_token(**visitor)
    client.post(
        reverse("action:story_write", args=[token]),
        {"title": "Nine floors", "text": TEXT, "credit": "anonymous"},
    )
    assert Person.objects.filter(email__iexact="amina@example.test").count() == 1
    assert Story.objects.get().person == known


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client):
    make_user(Role.MEMBER, email="known@example.test")
    known = ask_for_link(client, email="known@example.test")
    unknown = ask_for_link(client, email="stranger@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_visitor_link_that_is_old_or_forged_does_not_work(client, settings):
    token = services.write_token(email="amina@example.test", first_name="Amina")
    forged = token[:-3] + "xyz"
    response = client.post(
        reverse("action:story_write", args=[forged]),
        {"title": "Nine floors", "text": TEXT, "credit": "anonymous"},
    )
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not Story.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "Enter your email address"),
        ({"email": "not an address"}, "Enter an email address like name@example.org."),
        ({"first_name": "  "}, "Enter your name."),
    ],
)
def test_a_bad_link_request_gets_a_clear_message_and_sends_nothing(client, data, message):
    response = ask_for_link(client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_bot_filling_the_trap_field_gets_no_link(client):
    response = ask_for_link(client, website="http://spam.example")
    assert response["Location"] == reverse("action:story_link_sent")
    assert not OutboxMessage.objects.exists()


def test_too_many_link_requests_from_one_address_get_a_clear_429(client):
    for n in range(10):
        assert ask_for_link(client, email=f"person{n}@example.test").status_code == 302
    response = ask_for_link(client, email="one-more@example.test")
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()


# Queries ----------------------------------------------------------------------------------


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_public_stories_list_uses_a_fixed_number_of_queries(client, django_assert_num_queries):
    campaign = CampaignFactory()
    for _ in range(3):
        public_story(campaign=campaign)
    url = reverse("action:story_list")
    with django_assert_num_queries(2):  # the count, and the page with teller and campaign
        client.get(url)
    few = queries_for(client, url)
    for _ in range(30):
        StoryFactory(campaign=CampaignFactory(), status="approved", published_at=timezone.now())
    assert queries_for(client, url) == few
    assert queries_for(client, url + f"?campaign={campaign.slug}") == few + 1  # its campaign


def test_the_campaign_page_shows_stories_in_one_query(client):
    campaign = CampaignFactory()
    public_story(campaign=campaign)
    one = queries_for(client, campaign.get_absolute_url())
    for _ in range(5):
        public_story(campaign=campaign)
    assert queries_for(client, campaign.get_absolute_url()) == one


# Erasure ----------------------------------------------------------------------------------


def test_erasing_a_teller_s_stories_removes_their_photos_from_disk(
    media, django_capture_on_commit_callbacks
):
    story = public_story()
    other = public_story()
    assert len(files_in(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.story_erase(person=story.person) == 1
    assert not Story.objects.filter(pk=story.pk).exists()
    assert files_in(media) == [media / other.photo.name]


# Phones' photos and large photos ------------------------------------------------------------


def mpo_bytes(size=(60, 40)):
    """A JPEG with a second picture in it, as Samsung phones and iPhones (gain maps) write."""
    first, second = Image.new("RGB", size, "teal"), Image.new("RGB", (30, 20), "red")
    out = io.BytesIO()
    first.save(out, format="MPO", save_all=True, append_images=[second])
    return out.getvalue()


def stored_photo(story):
    story.refresh_from_db()
    with story.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_phone_s_multi_picture_jpeg_is_kept_as_a_plain_jpeg(client, member_client, staff_user):
    data = mpo_bytes()
    assert Image.open(io.BytesIO(data)).format == "MPO"  # what Pillow makes of such a photo
    response = tell(
        member_client, consent_to_publish="on", photo=upload(data), photo_alt="The broken lift"
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.photo.name.endswith(".jpg")
    image = stored_photo(story)
    assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("JPEG", (60, 40), 1)
    services.story_moderate(story=story, by=staff_user, decision="approve")
    photo = client.get(reverse("action:story_photo", args=[story.pk]))
    assert photo["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("kind", "size", "stored"),
    [
        ("JPEG", (3000, 1500), (2000, 1000)),
        ("PNG", (1200, 2400), (1000, 2000)),
        ("MPO", (2400, 1800), (2000, 1500)),
        ("JPEG", (2000, 1200), (2000, 1200)),  # at the limit: the size it was
    ],
)
def test_a_large_photo_is_scaled_down_keeping_its_shape(member_user, kind, size, stored):
    data = mpo_bytes(size) if kind == "MPO" else image_bytes(kind, size=size)
    story = services.story_submit(
        user=member_user, title="Nine floors", text=TEXT, photo=upload(data), photo_alt="A lift"
    )
    assert stored_photo(story).size == stored


# How many stories wait at a time -------------------------------------------------------------


def test_a_teller_has_at_most_three_stories_waiting_for_review(member_client, staff_user, media):
    for n in range(services.WAITING_MAX):
        assert tell(member_client, title=f"Story {n}").status_code == 302
    response = tell(member_client, title="One more", photo=upload(), photo_alt="A lift")
    assert response.status_code == 400
    assert "You already have 3 stories waiting for the hub&#x27;s team" in response.content.decode()
    assert Story.objects.count() == 3
    assert files_in(media) == []
    assert tell(member_client, title="Story 0").status_code == 302  # a double click still works
    # Once the team has read one, there is room for another.
    services.story_moderate(story=Story.objects.first(), by=staff_user, decision="reject")
    assert tell(member_client, title="One more").status_code == 302
    assert Story.objects.count() == 4


def test_a_visitor_link_tells_no_more_than_three_stories_waiting(client):
    token = services.write_token(email="amina@example.test", first_name="Amina")
    write = reverse("action:story_write", args=[token])
    for n in range(3):
        data = {"title": f"Story {n}", "text": TEXT, "credit": "anonymous"}
        assert client.post(write, data).status_code == 302
    response = client.post(write, {"title": "One more", "text": TEXT, "credit": "anonymous"})
    assert response.status_code == 400
    assert "waiting for the hub" in response.content.decode()
    assert Story.objects.count() == 3
    assert OutboxMessage.objects.count() == 3  # one "we have your story" each, none more


def test_the_service_keeps_the_limit_too(member_user):
    StoryFactory.create_batch(3, person=member_user.person)
    with pytest.raises(ValidationError, match="already have 3 stories waiting"):
        services.story_submit(user=member_user, title="One more", text=TEXT)
    assert Story.objects.count() == 3


# A campaign back in planning is not named ----------------------------------------------------


def test_a_campaign_back_in_planning_is_not_named_on_its_stories(
    client, member_user, member_client
):
    campaign = CampaignFactory(name="Secret plan")
    story = public_story(person=member_user.person, campaign=campaign)
    pages = {
        "list": lambda c: c.get(reverse("action:story_list")),
        "detail": lambda c: c.get(story.get_absolute_url()),
        "mine": lambda c: c.get(reverse("action:story_mine")),
    }
    for where, get in pages.items():
        viewer = member_client if where == "mine" else client
        assert "Secret plan" in get(viewer).content.decode(), where
    campaign.status = campaign.Status.PLANNING
    campaign.save()
    for where, get in pages.items():
        for viewer in (client, member_client) if where != "mine" else (member_client,):
            page = get(viewer).content.decode()
            assert story.title in page, where
            assert "Secret plan" not in page, where
            assert campaign.get_absolute_url() not in page, where


def test_the_stories_list_names_campaigns_in_a_fixed_number_of_queries(client):
    def add(n):
        for i in range(n):
            status = "planning" if i % 2 else "active"
            public_story(campaign=CampaignFactory(status=status))

    add(2)
    few = queries_for(client, reverse("action:story_list"))
    add(10)
    page = client.get(reverse("action:story_list")).content.decode()
    assert page.count("Fix the lifts") == 6  # the public campaigns only
    assert queries_for(client, reverse("action:story_list")) == few
