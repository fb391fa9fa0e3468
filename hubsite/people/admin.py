from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from hubsite.privacy.models import AuditEntry
from hubsite.privacy.services import audit_record

from .models import Consent, Group, GroupMembership, Locality, Person, Role, Tag, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password", "role"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def save_model(self, request, obj, form, change):
        if obj.role != Role.STAFF:  # the admin site is for hub staff only, as in the hub
            obj.is_staff = obj.is_superuser = False
        super().save_model(request, obj, form, change)
        if change and "role" in form.changed_data:
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.ROLE_CHANGED,
                subject=getattr(obj, "person", None),
                target=f"people.user:{obj.pk}",
                detail=f"{form.initial.get('role')} → {obj.role} (admin)",
            )

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "email", "locality", "created_at"]
    list_filter = ["locality", "tags"]
    search_fields = ["first_name", "last_name", "email"]
    list_select_related = ["locality"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "locality"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "population"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["person", "purpose", "given", "method", "recorded_at"]
    list_filter = ["purpose", "given", "method"]
    raw_id_fields = ["person"]
    readonly_fields = ["recorded_at"]
