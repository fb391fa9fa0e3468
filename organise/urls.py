"""Organise's URLs: each views module of the area holds its own patterns."""

from django.urls import path

from .views import calls, groups, home, join, meetings, members, mine, segments, you_said

app_name = "organise"

urlpatterns = [
    path("", home.home, name="home"),
    *join.urlpatterns,
    *mine.urlpatterns,
    *members.urlpatterns,
    *segments.urlpatterns,
    *calls.urlpatterns,
    *groups.urlpatterns,
    *meetings.urlpatterns,
    *you_said.urlpatterns,
]
