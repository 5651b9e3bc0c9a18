from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dangwu.orgs.models import CommitteeTerm, Organization, Post


class ReadOnlyDeleteMixin:
    """Organizations, terms and posts are ended or dissolved, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "category", "depth", "dissolved_on")
    list_filter = ("kind", "category", "formation")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "numchild")
    ordering = ("path",)


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(ReadOnlyDeleteMixin, SimpleHistoryAdmin):
    list_display = ("organization", "number", "elected_on", "ends_on", "closed_on")
    raw_id_fields = ("organization",)


@admin.register(Post)
class PostAdmin(ReadOnlyDeleteMixin, SimpleHistoryAdmin):
    list_display = ("organization", "kind", "person", "started_on", "ends_on", "ended_on")
    list_filter = ("kind", "chosen_by")
    raw_id_fields = ("organization", "person", "term")
