"""The admin of Connect, for staff repairs."""

from django.contrib import admin

from .models import (
    Event,
    EventSeries,
    JoinRequest,
    Opportunity,
    Rsvp,
    Shift,
    ShiftSignup,
    Skill,
    VolunteerOffer,
)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "visibility", "status", "capacity", "group"]
    list_filter = ["status", "visibility", "kind"]
    list_select_related = ["group"]
    search_fields = ["title"]
    raw_id_fields = ["host", "series"]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["event", "person", "status", "attendance", "responded_at"]
    list_filter = ["status", "attendance"]
    list_select_related = ["event", "person"]
    raw_id_fields = ["event", "person"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "group", "locality"]
    filter_horizontal = ["skills"]


@admin.register(ShiftSignup)
class ShiftSignupAdmin(admin.ModelAdmin):
    list_display = ["shift", "person", "status", "hours"]
    raw_id_fields = ["shift", "person"]


@admin.register(VolunteerOffer)
class VolunteerOfferAdmin(admin.ModelAdmin):
    list_display = ["person", "locality", "active", "created_at"]
    raw_id_fields = ["person"]
    filter_horizontal = ["skills"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["group", "person", "status", "created_at"]
    raw_id_fields = ["person"]


admin.site.register([EventSeries, Shift, Skill])
