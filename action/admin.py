"""The admin of Action, for staff repairs. Moderation of stories happens in the hub."""

from django.contrib import admin

from .models import ActionTaken, Activity, Ask, Campaign, Signup, Story, SupporterUpdate
from .services.campaigns import _mark_ended


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["groups", "themes", "partners", "endorsements"]

    def save_model(self, request, obj, form, change):
        # When it was won or lost is dated here too: retention counts from it.
        _mark_ended(obj)
        super().save_model(request, obj, form, change)


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["campaign", "first_name", "status", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign"]
    raw_id_fields = ["person", "campaign", "invited_from"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "consent_to_publish", "created_at"]
    list_filter = ["status", "consent_to_publish"]
    raw_id_fields = ["person", "campaign"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "stage", "stage_changed_at"]
    list_filter = ["kind", "stage"]
    raw_id_fields = ["people", "proposed_by"]


admin.site.register([Ask, ActionTaken, SupporterUpdate])
