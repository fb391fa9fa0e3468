from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to_email", "category", "status", "created_at", "sent_at"]
    list_filter = ["status", "category"]
    search_fields = ["to_email", "subject", "key"]
    # The body is left out: it can carry a person's own links (answer, unsubscribe, confirm)
    # that act for them.
    exclude = ["body_text"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "body_text"]
