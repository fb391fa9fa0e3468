"""Hardening, proven: a Content-Security-Policy without inline code on every page (and
templates that need none), photos decoded whole and stored without their metadata, no email
address or name in the logs or in an error report, a second factor for staff, and rate limits
on signing in and signing up."""

import io
import logging
import re
import struct
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults
from django.views.debug import get_exception_reporter_class, get_exception_reporter_filter
from PIL import Image

from action.models import Story
from action.services import stories as story_services
from hubsite.people.models import Role, User
from hubsite.security import RedactEmailsFilter
from tests.action.factories import CampaignFactory
from tests.conftest import make_user
from tests.connect.factories import EventFactory

pytestmark = pytest.mark.django_db

EMAIL = "amina.yusuf@example.test"


# Content-Security-Policy ------------------------------------------------------------------


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in (part.strip() for part in header.split(";"))
        if directive
    }


def inline_code(html):
    """Whatever in ``html`` a policy without 'unsafe-inline' refuses (unless it has a nonce)."""
    found = []
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        if "src=" in attributes or "application/json" in attributes or not body.strip():
            continue
        found.append(f"<script{attributes}>")
    found += [f"<style{a}>" for a in re.findall(r"<style\b([^>]*)>", html, re.I)]
    found += re.findall(r"<[^>]*\sstyle=[^>]*>", html, re.I)
    found += re.findall(r"<[^>]*\son[a-z]+=[^>]*>", html, re.I)
    found += re.findall(r"<[^>]*\shx-on[:-][^>]*>", html, re.I)
    return found


def test_every_response_carries_the_enforced_policy_without_inline_code_or_eval(client):
    response = client.get(reverse("home"))
    assert "Content-Security-Policy-Report-Only" not in response
    rules = policy(response)
    assert rules["default-src"] == ["'self'"]
    assert rules["script-src"] == ["'self'"]  # no nonce on a page that needs none
    assert rules["style-src"] == ["'self'"]
    assert rules["img-src"] == ["'self'", "data:"]
    assert rules["connect-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["form-action"] == ["'self'"]
    assert rules["base-uri"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    # htmx is told not to add a <style> of its own nor to evaluate code.
    content = response.content.decode()
    assert '"includeIndicatorStyles": false' in content and '"allowEval": false' in content


def test_public_pages_hold_no_inline_code(client):
    campaign = CampaignFactory()
    event = EventFactory()
    for url in [
        reverse("home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("action:campaign_page", args=[campaign.slug]),
        event.get_absolute_url(),
        reverse("organise:join"),
        "/no-such-page/",
    ]:
        response = client.get(url)
        assert inline_code(response.content.decode()) == [], url


def test_the_admin_works_under_the_policy_with_a_nonce_for_its_own_inline_tags(client):
    root = User.objects.create_superuser(email="root@example.test", password="x")
    client.force_login(root)
    for url in ["/admin/", "/admin/people/person/", "/admin/people/person/add/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        rules = policy(response)
        nonces = set(re.findall(r'nonce="([^"]+)"', html))
        for nonce in nonces:
            assert f"'nonce-{nonce}'" in rules["script-src"] + rules["style-src"]
        # Whatever is inline carries the page's nonce.
        for tag in inline_code(html):
            assert "nonce=" in tag and "style=" not in tag.split("nonce=")[0], (url, tag)
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def project_templates():
    folders = [Path(settings.BASE_DIR) / "templates"]
    folders += [
        Path(sys.modules[app.split(".apps.")[0]].__file__).parent / "templates"
        for app in settings.INSTALLED_APPS
        if app.split(".")[0] in {"hubsite", *(p.name for p in Path(settings.BASE_DIR).iterdir())}
        and not app.startswith("django")
    ]
    return [path for folder in folders if folder.exists() for path in folder.rglob("*.html")]


def test_no_template_of_the_hub_holds_inline_script_style_or_handlers():
    templates = project_templates()
    assert len(templates) > 50  # the walk found the apps' templates, not only the project's
    offenders = {
        str(path.relative_to(settings.BASE_DIR)): inline_code(path.read_text())
        for path in templates
    }
    assert {path: found for path, found in offenders.items() if found} == {}


# Photos --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(kind="JPEG", size=(64, 48), exif=None, mode="RGB", **options):
    image = Image.new(mode, size, "teal" if mode == "RGB" else 128)
    if exif is not None:
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def with_gps_and_turned():
    """What a phone writes: where the photo was taken, who owns the camera, and that it was
    held on its side."""
    exif = Image.Exif()
    exif[0x013B] = "Amina Yusuf"  # Artist
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show it
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.2)})
    return photo(size=(80, 40), exif=exif)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def tell(client, picture):
    return client.post(
        reverse("action:story_create"),
        {
            "title": "Nine floors",
            "text": "When the lift broke I carried my shopping up nine floors for a month.",
            "credit": "first_name",
            "photo": picture,
            "photo_alt": "The broken lift",
        },
    )


def test_a_photo_is_stored_turned_upright_without_any_of_its_metadata(member_client, media):
    original = with_gps_and_turned()
    with Image.open(io.BytesIO(original)) as check:  # the test's photo does carry them
        assert check.getexif().get_ifd(0x8825)
    response = tell(member_client, upload(original))
    assert response.status_code == 302
    story = Story.objects.get()
    stored = story.photo.read()
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert dict(image.getexif()) == {}
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info and "xmp" not in image.info
        assert image.size == (40, 80)  # the orientation was applied to the pixels
    assert b"Amina" not in stored and b"Exif" not in stored
    assert "photo" not in story.photo.name  # a random name, not the uploaded one


def truncated_jpeg():
    whole = photo(size=(400, 300), quality=95)
    return whole[: len(whole) // 2]


def huge_png():
    """A PNG whose header claims 30 000 x 30 000 pixels: a few hundred bytes on disk, gigabytes
    once decoded."""
    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 0, 0, 0, 0)

    def chunk(kind, data):
        import zlib

        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Dear council, the lift is broken again.", "letter.jpg", "not a photo we can show"),
        (truncated_jpeg(), "cut.jpg", "not a photo we can show"),
        (huge_png(), "bomb.png", "too many pixels"),
        (photo("PNG", size=(7000, 6000), mode="L"), "big.png", "too many pixels"),
        (photo("GIF"), "moving.gif", "not a photo we can show"),
        (photo("BMP"), "old.bmp", "not a photo we can show"),
        (b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "large.jpg", "The photo is too big"),
    ],
    ids=["text-renamed", "truncated", "pixel-bomb", "too-many-pixels", "gif", "bmp", "oversize"],
)
def test_a_file_that_is_not_a_whole_small_photo_is_refused_with_a_clear_message(
    member_client, media, data, name, message
):
    response = tell(member_client, upload(data, name=name))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Story.objects.exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_a_truncated_photo_that_passes_a_header_check_is_still_refused_by_the_service(
    member_user, media
):
    with pytest.raises(ValidationError) as error:
        story_services.story_submit(
            user=member_user,
            title="Nine floors",
            text="When the lift broke I carried my shopping up nine floors.",
            photo=upload(truncated_jpeg()),
            photo_alt="A wall",
            credit="first_name",
        )
    assert "photo" in error.value.message_dict
    assert not Story.objects.exists()


def test_pillow_refuses_any_image_beyond_the_hubs_pixel_limit():
    assert Image.MAX_IMAGE_PIXELS == settings.PHOTO_MAX_PIXELS
    assert story_services.PHOTO_MAX_BYTES == settings.PHOTO_MAX_BYTES


# No personal data in logs ---------------------------------------------------------------


@pytest.fixture
def every_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_personal_data(caplog, *words):
    text = "\n".join(
        record.getMessage() + (record.exc_text or "") + str(record.__dict__)
        for record in caplog.records
    )
    for word in words:
        assert word.lower() not in text.lower(), word


def test_signing_a_campaign_logs_no_address_or_name(client, every_log):
    campaign = CampaignFactory()
    response = client.post(
        reverse("action:signup", args=[campaign.slug]),
        {"first_name": "Zainab", "last_name": "Okonkwo", "email": EMAIL},
    )
    assert response.status_code == 302
    assert_no_personal_data(every_log, EMAIL, "Zainab", "Okonkwo")


def test_an_rsvp_logs_no_address_or_name(client, every_log):
    event = EventFactory()
    response = client.post(
        reverse("connect:rsvp", args=[event.pk]),
        {"first_name": "Zainab", "last_name": "Okonkwo", "email": EMAIL},
    )
    assert response.status_code in (200, 302)
    assert_no_personal_data(every_log, EMAIL, "Zainab", "Okonkwo")


def test_a_failed_sign_in_logs_no_address(client, every_log, member_user):
    for login in (member_user.email, EMAIL):
        response = client.post(reverse("account_login"), {"login": login, "password": "wrong"})
        assert response.status_code == 200
    assert_no_personal_data(every_log, member_user.email, EMAIL)


def test_every_handler_of_the_hub_masks_email_addresses():
    handlers = list(logging.getLogger().handlers)
    for name in ("django", "django.request", "django.server", "celery"):
        handlers += logging.getLogger(name).handlers
    # pytest's own capture, and Celery's handler that writes nothing, aside.
    ours = [
        handler
        for handler in handlers
        if type(handler).__module__.split(".")[0] not in {"_pytest", "pytest"}
        and not isinstance(handler, logging.NullHandler)
    ]
    assert ours
    for handler in ours:
        assert any(isinstance(f, RedactEmailsFilter) for f in handler.filters), handler


def test_the_filter_masks_addresses_in_messages_arguments_and_tracebacks():
    try:
        raise ValueError(f"duplicate key (email)=({EMAIL})")
    except ValueError:
        record = logging.getLogger("test").makeRecord(
            "test", logging.ERROR, __file__, 1, "Login by %s from %s", (EMAIL, "x"), sys.exc_info()
        )
    assert RedactEmailsFilter().filter(record)
    assert record.getMessage() == "Login by [email] from x"
    assert EMAIL not in record.exc_text and "[email]" in record.exc_text
    line = logging.Formatter().format(record)
    assert EMAIL not in line
    # An address in a URL, encoded or not, is masked too.
    assert RedactEmailsFilter().filter(
        record := logging.makeLogRecord({"msg": "GET /?email=amina%40example.test"})
    )
    assert "amina" not in record.getMessage()


def test_a_signed_token_in_a_logged_path_is_masked_as_its_payload_is_readable():
    from django.core import signing

    token = signing.dumps({"email": "amina@example.test", "first_name": "Amina"}, salt="x")
    line = f"Bad Request: /action/stories/new/{token}/"
    record = logging.makeLogRecord({"msg": line})
    assert RedactEmailsFilter().filter(record)
    assert token not in record.getMessage()
    assert record.getMessage() == "Bad Request: /action/stories/new/[token]/"
    # Ordinary paths and times are left alone.
    record = logging.makeLogRecord({"msg": "GET /connect/events/12/ at 10:30:00"})
    assert RedactEmailsFilter().filter(record)
    assert record.getMessage() == "GET /connect/events/12/ at 10:30:00"


def test_errors_alone_are_mailed_to_admins():
    assert settings.LOGGING["handlers"]["mail_admins"]["level"] == "ERROR"


def test_a_transparent_png_keeps_its_transparency(member_client, media):
    image = Image.new("P", (20, 20), 0)  # colour 0, said to be transparent, everywhere…
    image.putpalette([255, 255, 255, 0, 128, 0] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))  # …but a green square in the middle
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    image_bytes = out.getvalue()
    response = tell(member_client, upload(image_bytes, "p.png", "image/png"))
    assert response.status_code == 302
    with Image.open(io.BytesIO(Story.objects.get().photo.read())) as stored:
        assert stored.convert("RGBA").getpixel((0, 0))[3] == 0
        assert stored.convert("RGBA").getpixel((10, 10)) == (0, 128, 0, 255)


def test_a_colour_profile_is_not_kept_as_it_can_hold_any_words(member_client, media):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = photo(icc_profile=profile + b"Owner: Quillon Smith, 12 Canal St")
    response = tell(member_client, upload(original))
    assert response.status_code == 302
    stored = Story.objects.get().photo.read()
    assert b"Quillon" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert "icc_profile" not in image.info


# No personal data in error reports and pages ---------------------------------------------


def failing_request():
    request = RequestFactory().post(
        f"/people/new/?email={EMAIL}",
        {"first_name": "Zainab", "email": EMAIL, "notes": "Lives alone, struggling"},
    )
    request.COOKIES = {"sessionid": "secret-session", "csrftoken": "secret-token"}
    request.user = make_user(Role.STAFF, email="kim.staff@example.test")
    return request


def test_an_error_report_hides_every_posted_value_cookie_and_address():
    request = failing_request()
    person_name = request.POST["first_name"]  # noqa: F841  (a local of the failing frame)
    try:
        raise ValueError(f"Could not save {EMAIL}")
    except ValueError:
        exc_info = sys.exc_info()
    reporter = get_exception_reporter_class(request)(request, *exc_info)
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        for secret in (
            EMAIL,
            "amina.yusuf%40example.test",
            "Zainab",
            "Lives alone",
            "secret-session",
            "secret-token",
            "kim.staff",
        ):
            assert secret not in report, secret
    filtered = get_exception_reporter_filter(request).get_post_parameters(request)
    assert set(filtered.values()) == {"********************"}


def test_the_error_pages_show_nothing_of_the_request(client):
    response = client.get(f"/people/no-such-page/?email={EMAIL}&name=Zainab")
    assert response.status_code == 404
    page = response.content.decode()
    assert EMAIL not in page and "Zainab" not in page and "no-such-page" not in page
    request = RequestFactory().get(f"/boom/?email={EMAIL}")
    page = defaults.server_error(request).content.decode()
    assert "Something went wrong" in page
    assert EMAIL not in page and "/boom/" not in page


# A second factor for staff ---------------------------------------------------------------


def totp_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.parametrize(
    "url",
    [
        "home",
        "people:person_list",
        "listening:home",
        "connect:home",
        "action:home",
        "organise:home",
        "framework:overview",
        "mfa_index",
    ],
)
def test_staff_without_an_authenticator_are_sent_to_set_one_up_from_every_hub_page(
    settings, staff_client, url
):
    settings.STAFF_MFA_REQUIRED = True
    response = staff_client.get(reverse(url))
    if url == "mfa_index":  # the setup pages themselves stay open
        assert response.status_code == 200
    else:
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_pass_it_at_sign_in(settings, client, staff_user):
    settings.STAFF_MFA_REQUIRED = True
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    response = client.post(
        reverse("account_login"), {"login": staff_user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone opens nothing.
    assert client.get(reverse("people:person_list"))["Location"].startswith(
        reverse("account_login")
    )
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.get(reverse("people:person_list")).status_code == 200


def test_people_who_are_not_staff_are_not_asked_for_a_second_factor(settings, client):
    settings.STAFF_MFA_REQUIRED = True
    for role in (Role.MEMBER, Role.VOLUNTEER, Role.ORGANISER):
        user = make_user(role)
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "a-long-test-password"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
        assert client.get(reverse("home")).status_code == 200
        assert not Authenticator.objects.filter(user=user).exists()
        client.post(reverse("account_logout"))


# Rate limits -----------------------------------------------------------------------------

TOO_MANY = "Too many failed login attempts. Try again later."


def test_the_sixth_failed_sign_in_within_five_minutes_from_one_address_is_refused(
    client, member_user
):
    for n in range(5):
        response = client.post(
            reverse("account_login"), {"login": f"guess{n}@example.test", "password": "nope"}
        )
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()
    # Even the right password is refused now, from this address.
    response = client.post(
        reverse("account_login"), {"login": member_user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not blocked by them.
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = other.post(
        reverse("account_login"), {"login": member_user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302


def test_sign_ups_from_one_address_are_limited(client):
    limit = int(settings.ACCOUNT_RATE_LIMITS["signup"].split("/")[0])
    for n in range(limit):
        response = client.post(
            reverse("account_signup"),
            {"email": f"new{n}@example.test", "password1": "x", "password2": "y"},
        )
        assert response.status_code == 200  # refused for its weak password, but counted
    response = client.post(
        reverse("account_signup"),
        {
            "email": "one-more@example.test",
            "password1": "a-long-test-password",
            "password2": "a-long-test-password",
        },
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="one-more@example.test").exists()
