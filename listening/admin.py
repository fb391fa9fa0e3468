"""The admin of Listening, for staff repairs. Sensitive notes are never shown here: they are
read on the conversation's page, where reading them is audited."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Conversation, FollowUp, ListeningRound, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(ListeningRound)
class ListeningRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "target"]
    filter_horizontal = ["localities", "organisers", "volunteers"]


@admin.register(Conversation)
class ConversationAdmin(SimpleHistoryAdmin):
    exclude = ["sensitive_notes"]
    list_display = ["held_on", "method", "locality", "round", "logged_by"]
    list_filter = ["method", "round"]
    list_select_related = ["locality", "round", "logged_by"]
    raw_id_fields = ["person", "logged_by"]
    filter_horizontal = ["themes"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["action", "owner", "due_on", "done_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["conversation", "owner"]
