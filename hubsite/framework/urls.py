"""The framework's URLs: each views module holds its own patterns."""

from django.urls import path

from .views import assessments, home, learnings, prompts, tags

app_name = "framework"

urlpatterns = [
    path("", home.overview, name="overview"),
    *assessments.urlpatterns,
    *prompts.urlpatterns,
    *learnings.urlpatterns,
    *tags.urlpatterns,
]
