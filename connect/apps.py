"""The Connect area of the hub (layer 1, DESIGN.md): events and RSVPs, check-in,
volunteering and joining groups. What it contributes to the core is registered here."""

from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connect"

    def ready(self):
        from hubsite.notify.registry import register_send_check

        from .services import rsvps

        register_send_check("connect:rsvp:", rsvps.message_still_wanted)
