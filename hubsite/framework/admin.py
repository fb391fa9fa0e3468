from django.contrib import admin

from .models import Area, Practice, Value


class PracticeInline(admin.TabularInline):
    model = Practice
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    inlines = [PracticeInline]


admin.site.register(Value)
