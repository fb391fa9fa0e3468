from django.urls import path

from . import views

app_name = "organise"

urlpatterns = [
    path("", views.home, name="home"),
]
