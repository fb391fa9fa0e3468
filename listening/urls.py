from django.urls import path

from . import views

app_name = "listening"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/new/", views.conversation_log, name="conversation_log"),
    path("conversations/new/people/", views.person_pick, name="person_pick"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:pk>/edit/", views.conversation_edit, name="conversation_edit"),
    path("conversations/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("themes/", views.theme_counts, name="theme_counts"),
    path("themes/manage/", views.theme_list, name="theme_list"),
    path("themes/<int:pk>/", views.theme_edit, name="theme_edit"),
]
