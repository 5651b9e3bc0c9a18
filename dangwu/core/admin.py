from django.contrib import admin

from dangwu.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are only ever added."""

    list_display = ("at", "actor", "action", "subject", "ip_address")
    list_filter = ("action",)
    search_fields = ("subject", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
