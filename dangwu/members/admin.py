from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dangwu.members.models import Membership, Person, Sanction, StatusChange, Transfer


class NoDeleteMixin:
    """People and their histories are deactivated, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "sex", "status", "branch", "group", "is_active")
    list_filter = ("status", "is_active", "sex")
    search_fields = ("name", "pinyin", "initials")
    raw_id_fields = ("branch", "group")
    readonly_fields = (
        "pinyin",
        "initials",
        "sort_key",
        "status",
        "status_since",
        "branch",
        "group",
    )


@admin.register(StatusChange)
class StatusChangeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("person", "status", "effective_on", "recorded_by")
    raw_id_fields = ("person",)


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("person", "branch", "group", "started_on", "ended_on")
    raw_id_fields = ("person", "branch", "group")


@admin.register(Sanction)
class SanctionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("person", "kind", "decided_on", "probation_years")
    raw_id_fields = ("person",)


@admin.register(Transfer)
class TransferAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("letter_number", "person", "kind", "status", "issued_on", "received_on")
    list_filter = ("kind", "status")
    raw_id_fields = ("person", "from_branch", "to_branch", "to_group")
