from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/export/", views.person_export, name="person_export"),
    path("<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("<int:pk>/invite/again/", views.person_invite_resend, name="person_invite_resend"),
    path("<int:pk>/role/", views.person_set_role, name="person_set_role"),
    path("<int:pk>/groups/", views.person_add_to_group, name="person_add_to_group"),
    path("invite/<str:uidb64>/<str:token>/", views.invite_accept, name="invite_accept"),
    path("offers/", views.offer_list, name="offer_list"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/edit/", views.group_edit, name="group_edit"),
    path(
        "groups/<slug:slug>/members/<int:pk>/",
        views.membership_update,
        name="membership_update",
    ),
    path("localities/", views.locality_list, name="locality_list"),
    path("localities/new/", views.locality_create, name="locality_create"),
    path("localities/<slug:slug>/", views.locality_detail, name="locality_detail"),
    path("localities/<slug:slug>/edit/", views.locality_edit, name="locality_edit"),
    path("communities/", views.tag_list, name="tag_list"),
]
