"""The data-protection records in Django's admin, to read only: the audit log is append-only,
and requests and retention change through the hub's own screens, which audit each change."""

from django.contrib import admin

from .models import AuditEntry, DataRequest, RetentionPolicy, RetentionRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "subject_id", "target", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["actor__email", "target", "=subject_id"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "received_on", "due_on", "extended", "closed_on"]
    list_filter = ["status", "kind", "channel", "extended"]
    list_select_related = ["person"]
    date_hierarchy = "received_on"


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ReadOnlyAdmin):
    list_display = ["kind", "months", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "started_by", "total"]
    list_select_related = ["started_by"]
    date_hierarchy = "started_at"
