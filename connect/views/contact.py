"""The "Yes, keep me posted" link from an RSVP or join-request email: a page with a button
(a mail scanner following the link confirms nothing), then the POST that records consent."""

from allauth.core import ratelimit
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path

from hubsite.people.models import Consent
from hubsite.people.selectors import consent_given

from ..services import rsvps as services

TEMPLATE = "connect/contact_confirm.html"


@login_not_required
def contact_confirm(request, token):
    found = services.contact_from_token(token)
    if found is None:
        return render(request, TEMPLATE, {"invalid": True}, status=400)
    person, about = found
    context = {"person": person, "about": about}
    if request.method == "POST":
        if not ratelimit.consume(request, action="contact_confirm"):
            return render(request, TEMPLATE, {**context, "limited": True}, status=429)
        services.contact_confirm(person=person, about=about)
        return render(request, TEMPLATE, {**context, "done": True})
    already = consent_given(person, Consent.Purpose.CONTACT_EMAIL)
    return render(request, TEMPLATE, {**context, "done": already})


urlpatterns = [
    path("keep-posted/<str:token>/", contact_confirm, name="contact_confirm"),
]
