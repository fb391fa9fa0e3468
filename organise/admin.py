"""The admin of Organise, for staff repairs. Joining, renewing, sending calls to action and
answering proposals happen in the hub, where their rules and emails live."""

from django.contrib import admin

from .models import (
    CallToAction,
    Contribution,
    Decision,
    Delivery,
    GroupProposal,
    JoinApplication,
    Meeting,
    Membership,
    MembershipEvent,
    MembershipType,
    Segment,
    YouSaidWeDid,
)


@admin.register(MembershipType)
class MembershipTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "suggested_contribution", "term_months", "open_to_join", "order"]
    list_filter = ["open_to_join"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    fields = ["kind", "on", "locality", "type"]
    extra = 0


class ContributionInline(admin.TabularInline):
    model = Contribution
    fields = ["amount", "received_on", "note", "recorded_by"]
    raw_id_fields = ["recorded_by"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "type", "status", "joined_on", "renews_on", "ended_on"]
    list_filter = ["status", "type"]
    list_select_related = ["person", "type"]
    search_fields = ["person__first_name", "person__last_name", "person__email"]
    raw_id_fields = ["person"]
    date_hierarchy = "joined_on"
    inlines = [MembershipEventInline, ContributionInline]


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ["kind", "on", "membership", "locality", "type"]
    list_filter = ["kind", "type", "locality"]
    list_select_related = ["membership__person", "locality", "type"]
    raw_id_fields = ["membership"]
    date_hierarchy = "on"


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["membership", "amount", "received_on", "note"]
    list_select_related = ["membership__person"]
    search_fields = ["membership__person__first_name", "membership__person__last_name"]
    raw_id_fields = ["membership", "recorded_by"]
    date_hierarchy = "received_on"


@admin.register(JoinApplication)
class JoinApplicationAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "type", "created_at", "confirmed_at"]
    list_filter = ["type", "consent_contact"]
    list_select_related = ["type"]
    search_fields = ["email", "first_name", "last_name"]
    raw_id_fields = ["membership"]
    filter_horizontal = ["tags"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "created_by", "updated_at"]
    list_select_related = ["created_by"]
    search_fields = ["name"]
    raw_id_fields = ["created_by"]


@admin.register(CallToAction)
class CallToActionAdmin(admin.ModelAdmin):
    list_display = ["subject", "segment", "status", "send_at", "sent_at", "recipients"]
    list_filter = ["status"]
    list_select_related = ["segment"]
    search_fields = ["subject"]
    raw_id_fields = ["segment", "event", "campaign", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["call", "person", "response", "responded_at", "created_at"]
    list_filter = ["response"]
    list_select_related = ["call", "person"]
    raw_id_fields = ["call", "person", "message"]


@admin.register(GroupProposal)
class GroupProposalAdmin(admin.ModelAdmin):
    list_display = ["name", "proposed_by", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["proposed_by"]
    search_fields = ["name"]
    raw_id_fields = ["proposed_by", "locality", "decided_by", "group"]


class DecisionInline(admin.StackedInline):
    model = Decision
    fields = ["summary", "decided_by", "owner", "review_on", "status", "outcome", "reviewed_on"]
    raw_id_fields = ["owner"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "group", "held_on", "attendance"]
    list_filter = ["kind"]
    list_select_related = ["group"]
    search_fields = ["title"]
    raw_id_fields = ["group", "created_by"]
    date_hierarchy = "held_on"
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["summary", "meeting", "owner", "review_on", "status"]
    list_filter = ["status"]
    list_select_related = ["meeting", "owner"]
    search_fields = ["summary"]
    raw_id_fields = ["meeting", "owner"]


@admin.register(YouSaidWeDid)
class YouSaidWeDidAdmin(admin.ModelAdmin):
    list_display = ["__str__", "published", "order", "updated_at"]
    list_filter = ["published"]
    list_editable = ["published", "order"]
    raw_id_fields = ["updated_by"]
    filter_horizontal = ["themes", "campaigns", "events", "decisions"]
