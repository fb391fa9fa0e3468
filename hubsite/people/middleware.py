"""Hub staff (and anyone the admin site lets in) see everyone's personal data, so with
STAFF_MFA_REQUIRED on (the default when DEBUG is off) they set up an authenticator app
before they can use any other page."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .models import Role

# The pages that set up the second factor, and the way out.
SETUP_PAGES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    # allauth refuses a second factor while an address is unverified: let them sort that out.
    "account_email",
    "account_confirm_email",
    "account_change_password",
    "health",
}


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not settings.STAFF_MFA_REQUIRED or not user.is_authenticated:
            return None
        sees_everyone = user.role == Role.STAFF or user.is_staff or user.is_superuser
        if not sees_everyone or request.resolver_match.url_name in SETUP_PAGES:
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        messages.info(
            request,
            "Hub staff can see everyone's details, so your account needs a second step at "
            "sign-in. Set up an authenticator app to continue.",
        )
        if request.htmx:  # a whole-page move, not a setup page inside a list
            return HttpResponseClientRedirect(reverse("mfa_activate_totp"))
        return redirect("mfa_activate_totp")
