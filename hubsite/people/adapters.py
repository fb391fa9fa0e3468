"""django-allauth hooks: every account email goes through the outbox, and a new account
gets its Person once its address is verified."""

import uuid
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from hubsite.notify.models import OutboxMessage
from hubsite.notify.services import message_queue

from .models import Role
from .selectors import person_by_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def save_user(self, request, user, form, commit=True):
        user.role = Role.MEMBER  # every sign-up starts as a member; staff grant other roles
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        # allauth's emails name the site; without django.contrib.sites that name is blank.
        site = context.get("current_site")
        context["current_site"] = SimpleNamespace(
            name=settings.HUB_NAME, domain=getattr(site, "domain", "") or settings.SITE_URL
        )
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html = content
        message_queue(
            key=f"account.{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
            person=person_by_email(email),
            to_email=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            category=OutboxMessage.Category.ACCOUNT,
        )
