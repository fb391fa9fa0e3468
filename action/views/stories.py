"""Stories: the public list and page of approved stories (and their photos, served here since
media files are not public), telling a story (signed in, or as a visitor through an emailed
link), the teller's own pages (signed in, or from the link in their emails) where they edit
it and give or withdraw consent, and the staff's moderation queue."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hubsite.forms import show_service_errors
from hubsite.people.rules import EVERYONE_SIGNED_IN, STAFF, role_required

from .. import rules
from ..forms import StoryForm, StoryLinkForm, StoryModerationForm
from ..models import Story
from ..selectors import campaigns as campaign_selectors
from ..selectors import stories as selectors
from ..services import stories as services


def _public_campaign(slug=None, pk=None):
    # A slug from the query string is a person's input: one no campaign could have (a NUL
    # byte, which PostgreSQL cannot even compare) names none.
    if slug and "\x00" in slug:
        return None
    if not slug and not pk:
        return None
    campaigns = campaign_selectors.campaign_public()
    return campaigns.filter(slug=slug).first() if slug else campaigns.filter(pk=pk).first()


def _photo_response(story):
    """The photo's bytes, never a public media URL: each request is checked by the caller."""
    if not story.photo:
        raise Http404
    try:
        handle = story.photo.storage.open(story.photo.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = story.photo.name.rsplit(".", 1)[-1].lower()
    if kind not in services.PHOTO_TYPES:
        handle.close()
        raise Http404
    return FileResponse(
        handle, content_type=services.PHOTO_TYPES[kind], filename=f"story-{story.pk}.{kind}"
    )


# Public ---------------------------------------------------------------------------------


@login_not_required
def story_list(request):
    campaign = _public_campaign(slug=request.GET.get("campaign"))
    page = Paginator(selectors.story_public_list(campaign), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "action/story_list.html", {"page": page, "campaign": campaign})


def _is_teller(user, story):
    return user.is_authenticated and story.person.user_id == user.pk


@login_not_required
@never_cache
def story_detail(request, pk):
    story = get_object_or_404(selectors.story_visible(request.user), pk=pk)
    is_teller = _is_teller(request.user, story)
    return render(
        request,
        "action/story_detail.html",
        {
            "story": story,
            "is_teller": is_teller,
            "is_staff": rules.is_staff(request.user),
            "photo_url": reverse("action:story_photo", args=[story.pk]),
            "edit_url": reverse("action:story_edit", args=[story.pk]) if is_teller else "",
            "consent_url": reverse("action:story_consent", args=[story.pk]) if is_teller else "",
        },
    )


@login_not_required
@never_cache
def story_photo(request, pk):
    return _photo_response(get_object_or_404(selectors.story_visible(request.user), pk=pk))


# Telling --------------------------------------------------------------------------------


def _tell(request, *, campaign, user=None, visitor=None):
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES)
    else:
        form = StoryForm(initial={"campaign": campaign.pk if campaign else None})
    if form.is_bound and form.is_valid():
        try:
            story = services.story_submit(user=user, visitor=visitor, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                "Thank you for your story. The hub's team reads it before anything is "
                "published; we will email you.",
            )
            if user is not None:
                return redirect(story)
            return redirect("action:story_teller", token=services.teller_token(story))
    return render(
        request,
        "action/story_form.html",
        {"form": form, "campaign": campaign, "visitor": visitor},
        status=400 if form.is_bound else 200,
    )


@login_not_required
def story_create(request):
    """Signed in: the story form. A visitor: where to send the link that opens it (their
    address is proven before they write; see services.stories)."""
    campaign = _public_campaign(slug=request.GET.get("campaign"))
    if request.user.is_authenticated:
        return _tell(request, campaign=campaign, user=request.user)
    form = StoryLinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            return redirect("action:story_link_sent")  # a bot: send nothing
        if not ratelimit.consume(request, action="story_link", key=data["email"].lower()):
            return render(request, "action/story_rate_limited.html", status=429)
        services.story_link_send(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            campaign=campaign,
        )
        # The same answer whether or not the address is known to the hub.
        return redirect("action:story_link_sent")
    return render(
        request,
        "action/story_link_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.is_bound else 200,
    )


@login_not_required
def story_link_sent(request):
    return render(request, "action/story_link_sent.html")


@login_not_required
def story_write(request, token):
    """The link emailed to a visitor: the story form, for the address it was sent to."""
    visitor = services.write_token_read(token)
    if visitor is None:
        return render(request, "action/story_link_form.html", {"invalid": True}, status=400)
    campaign = _public_campaign(pk=visitor.get("campaign"))
    return _tell(request, campaign=campaign, visitor=visitor)


# The teller's own pages -----------------------------------------------------------------


def _consent(request, story):
    choice = request.POST.get("consent")
    if choice not in ("give", "withdraw"):
        messages.error(request, "Choose whether to publish your story or take it down.")
        return
    story = services.story_consent(story=story, give=choice == "give")
    if choice == "withdraw":
        messages.success(request, "Your story is not public any more. Thank you for telling it.")
    elif story.status == Story.Status.SUBMITTED:
        messages.success(request, "Thank you. The hub's team will read it again before it is up.")
    else:
        messages.success(request, "Thank you: your consent to publish is recorded.")


def _edit(request, story, *, done_url, photo_url):
    if story.status == Story.Status.REJECTED:
        messages.error(request, "This story was not published, so it cannot be changed.")
        return redirect(done_url)
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES, story=story)
    else:
        form = StoryForm(story=story)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("remove_photo", False)
        try:
            services.story_update(story=story, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, "Your changes are saved. The hub's team reads them before they are up."
            )
            return redirect(done_url)
    return render(
        request,
        "action/story_form.html",
        {"form": form, "story": story, "photo_url": photo_url, "cancel_url": done_url},
        status=400 if form.is_bound else 200,
    )


def _from_token(token):
    story = services.story_from_teller_token(token)
    if story is None:
        raise Http404("This link does not work.")
    return story


@login_not_required
@never_cache
def story_teller(request, token):
    """The link in every email to a teller: their story, whatever its state, with the
    buttons to publish or take it down (no sign-in needed, like an unsubscribe link)."""
    story = services.story_from_teller_token(token)
    if story is None:
        return render(request, "action/story_teller.html", {"invalid": True}, status=400)
    if request.method == "POST":
        _consent(request, story)
        return redirect(request.path)
    return render(
        request,
        "action/story_teller.html",
        {
            "story": story,
            "photo_url": reverse("action:story_teller_photo", args=[token]),
            "edit_url": reverse("action:story_teller_edit", args=[token]),
            "consent_url": request.path,
        },
    )


@login_not_required
def story_teller_edit(request, token):
    story = _from_token(token)
    return _edit(
        request,
        story,
        done_url=reverse("action:story_teller", args=[token]),
        photo_url=reverse("action:story_teller_photo", args=[token]),
    )


@login_not_required
@never_cache
def story_teller_photo(request, token):
    return _photo_response(_from_token(token))


@role_required(*EVERYONE_SIGNED_IN)
def story_mine(request):
    page = Paginator(selectors.story_mine(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "action/story_mine.html", {"page": page})


@role_required(*EVERYONE_SIGNED_IN)
def story_edit(request, pk):
    story = get_object_or_404(selectors.story_mine(request.user).select_related("person"), pk=pk)
    return _edit(
        request,
        story,
        done_url=story.get_absolute_url(),
        photo_url=reverse("action:story_photo", args=[story.pk]),
    )


@role_required(*EVERYONE_SIGNED_IN)
@require_POST
def story_consent(request, pk):
    story = get_object_or_404(selectors.story_mine(request.user), pk=pk)
    _consent(request, story)
    return redirect(story)


# Moderation -----------------------------------------------------------------------------


@role_required(*STAFF)
def story_queue(request):
    status = request.GET.get("status")
    if status not in Story.Status.values:
        status = Story.Status.SUBMITTED
    page = Paginator(selectors.story_queue(status), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tabs = [
        (value, label, count)
        for (value, label), count in zip(
            Story.Status.choices, selectors.story_status_counts(), strict=True
        )
    ]
    return render(
        request, "action/story_queue.html", {"page": page, "status": status, "tabs": tabs}
    )


@role_required(*STAFF)
def story_review(request, pk):
    story = get_object_or_404(Story.objects.select_related("person", "campaign"), pk=pk)
    form = StoryModerationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            story = services.story_moderate(story=story, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"“{story}” is now “{story.get_status_display()}”.")
            return redirect("action:story_queue")
    if form.is_bound:
        story.refresh_from_db()
    return render(
        request,
        "action/story_review.html",
        {
            "story": story,
            "form": form,
            "photo_url": reverse("action:story_photo", args=[story.pk]),
        },
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("stories/", story_list, name="story_list"),
    path("stories/new/", story_create, name="story_create"),
    path("stories/new/sent/", story_link_sent, name="story_link_sent"),
    path("stories/new/<str:token>/", story_write, name="story_write"),
    path("stories/mine/", story_mine, name="story_mine"),
    path("stories/review/", story_queue, name="story_queue"),
    path("stories/yours/<str:token>/", story_teller, name="story_teller"),
    path("stories/yours/<str:token>/edit/", story_teller_edit, name="story_teller_edit"),
    path("stories/yours/<str:token>/photo", story_teller_photo, name="story_teller_photo"),
    path("stories/<int:pk>/", story_detail, name="story_detail"),
    path("stories/<int:pk>/photo", story_photo, name="story_photo"),
    path("stories/<int:pk>/edit/", story_edit, name="story_edit"),
    path("stories/<int:pk>/consent/", story_consent, name="story_consent"),
    path("stories/<int:pk>/review/", story_review, name="story_review"),
]
