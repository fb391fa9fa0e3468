"""Action's URLs: each views module of the area holds its own patterns."""

from django.urls import path

from .views import activities, asks, campaigns, home, stories, updates

app_name = "action"

urlpatterns = [
    path("", home.home, name="home"),
    *campaigns.urlpatterns,
    *asks.urlpatterns,
    *stories.urlpatterns,
    *activities.urlpatterns,
    *updates.urlpatterns,
]
