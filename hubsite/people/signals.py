"""Receivers that keep the core in step with django-allauth."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import person_link_user


@receiver(email_confirmed)
def link_person_on_email_confirmed(sender, request, email_address, **kwargs):
    user = email_address.user
    if email_address.primary or user.email.lower() == email_address.email.lower():
        person_link_user(user=user)
