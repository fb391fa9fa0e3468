"""The hub's URLs. Every view needs a signed-in user with the right role except the short
public allow-list: the landing page, sign-in and sign-up, invitation links, health check."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from hubsite.framework.views import home as framework_views


@login_not_required
def health(request):
    return HttpResponse("ok", content_type="text/plain")


# The admin signs in through allauth, with its rate limits and second factor.
admin.site.login = secure_admin_login(admin.site.login)

AREAS = ["change", "action", "strategy", "leadership", "reach", "listening", "connect", "organise"]

urlpatterns = [
    path("", framework_views.home, name="home"),
    path("healthz", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("hubsite.people.urls")),
    path("framework/", include("hubsite.framework.urls")),
    path("privacy/", include("hubsite.privacy.urls")),
    *[path(f"{area}/", include(f"{area}.urls")) for area in AREAS],
    path("admin/", admin.site.urls),
]
