"""``manage.py create_staff``: open the first hub staff account on a new installation.

Django's ``createsuperuser`` would leave the address unverified, and allauth's mandatory
verification would then refuse the login; this command opens the account ready to sign in,
with the staff role and its Person, in one transaction."""

import getpass
import os

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from hubsite.people.models import Role, User
from hubsite.people.services import person_link_user

PASSWORD_ENV = "HUB_STAFF_PASSWORD"


def _messages(error):
    return " ".join(error.messages)


class Command(BaseCommand):
    help = (
        "Create a hub staff user (who may also use /admin/) with a verified email address. "
        f"Without --password it asks for one, or with --noinput reads ${PASSWORD_ENV}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The staff member's login address.")
        parser.add_argument(
            "--password",
            help=f"The password (visible in shell history: prefer the prompt or ${PASSWORD_ENV}).",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Never prompt: take the password from --password or ${PASSWORD_ENV}.",
        )

    def handle(self, *args, email, password, interactive, **options):
        email = self._clean_email(email)
        if password is None:
            password = self._ask_password() if interactive else self._env_password()
        try:
            validate_password(password, user=User(email=email, role=Role.STAFF))
        except ValidationError as error:
            raise CommandError(f"This password is not accepted: {_messages(error)}") from None

        try:
            with transaction.atomic():
                user = User.objects.create_superuser(email=email, password=password)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                person_link_user(user=user)
        except ValidationError as error:  # the Person with this address has another login
            raise CommandError(_messages(error)) from None

        self.stdout.write(self.style.SUCCESS(f"Hub staff user {email} created."))

    def _clean_email(self, email):
        email = (email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address.") from None
        # allauth keeps every address unique across accounts, secondary ones included.
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise CommandError(f"An account with the email address {email} already exists.")
        return email

    def _ask_password(self):
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Cancelled: no password given.") from None
        if not password:
            raise CommandError("No password given.")
        if password != again:
            raise CommandError("The two passwords differ.")
        return password

    def _env_password(self):
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise CommandError(f"With --noinput, give --password or set ${PASSWORD_ENV}.")
        return password
