"""Connect's URLs: each views module of the area holds its own patterns."""

from django.urls import path

from .views import calendar, checkin, contact, events, groups, home, volunteering

app_name = "connect"

urlpatterns = [
    path("", home.home, name="home"),
    *events.urlpatterns,
    *calendar.urlpatterns,
    *checkin.urlpatterns,
    *volunteering.urlpatterns,
    *groups.urlpatterns,
    *contact.urlpatterns,
]
