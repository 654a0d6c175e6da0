"""Create the TOTP device a staff user needs for Django admin and print how to enrol it."""

from __future__ import annotations

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a user and print its otpauth:// URI and secret, to enter "
        "in an authenticator app. Pass the URI over a channel only that person can read."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing TOTP devices first (a lost phone).",
        )

    def handle(self, *args, username: str, replace: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        with transaction.atomic():
            existing = TOTPDevice.objects.filter(user=user)
            if existing.exists() and not replace:
                raise CommandError(
                    f"{username} already has an authenticator; use --replace to start again."
                )
            existing.delete()
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        if not user.is_staff:
            self.stderr.write(f"Note: {username} is not staff; only staff are asked for a code.")
        self.stdout.write(f"{username}: device created; add it to the authenticator app:")
        self.stdout.write(f"URI: {device.config_url}")
        self.stdout.write(f"Secret: {b32encode(device.bin_key).decode()}")
