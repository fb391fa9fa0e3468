"""Receivers that keep the core in step with django-allauth, and its cached figures with
the people they count."""

import logging

from allauth.account.signals import email_changed, email_confirmed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Person
from .selectors import people_total_forget
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


@receiver(post_save, sender=Person)
@receiver(post_delete, sender=Person)
def forget_people_total(sender, created=True, **kwargs):
    # Now, and again once committed: a page asked in between would count the rows as they
    # were before this change and keep that figure.
    if created:
        people_total_forget()
        transaction.on_commit(people_total_forget)
