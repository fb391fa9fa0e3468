"""What every page needs: the hub's name and the navigation by area."""

from django.conf import settings

NAVIGATION = [
    ("change", "Change"),
    ("action", "Action"),
    ("strategy", "Strategy"),
    ("leadership", "Leadership"),
    ("reach", "Reach"),
    ("listening", "Listening"),
    ("connect", "Connect"),
    ("organise", "Organise"),
]


def hub(request):
    return {
        "HUB_NAME": settings.HUB_NAME,
        "AREA_NAVIGATION": NAVIGATION,
        "SIGNUP_OPEN": settings.SIGNUP_OPEN,
    }
