"""Receivers that keep the core in step with django-allauth."""

import logging

from allauth.account.signals import email_changed, email_confirmed
from django.core.exceptions import ValidationError
from django.dispatch import receiver

from .services import person_follow_login, person_link_user

log = logging.getLogger(__name__)


@receiver(email_confirmed)
def link_person_on_email_confirmed(sender, request, email_address, **kwargs):
    user = email_address.user
    if user.email.lower() != email_address.email.lower():
        return
    try:
        person_link_user(user=user)
    except ValidationError:
        # The address belongs to a person already linked to another login: the account
        # works without a Person, and staff resolve it; never hand one record to two logins.
        log.warning("User %s confirmed an address held by another account's person", user.pk)


@receiver(email_changed)
def person_follows_new_login_address(sender, request, user, to_email_address, **kwargs):
    person_follow_login(user=user, email=to_email_address.email)
