from django.contrib import admin
from django.http import HttpRequest

from kb.staff.models import AuditEvent, Revision, RootCauseCount, SharedLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the staff workflow only: never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["entry", "number", "state", "author", "created", "reviewer"]
    list_filter = ["state"]
    search_fields = ["entry__code", "message", "author__username"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created", "actor", "action", "entry", "revision", "shared_log"]
    list_filter = ["action"]
    search_fields = ["entry__code", "actor__username"]


@admin.register(RootCauseCount)
class RootCauseCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "code", "count"]
    list_filter = ["day"]


@admin.register(SharedLog)
class SharedLogAdmin(admin.ModelAdmin):
    list_display = ["created", "reason", "pip_version", "diagnosed_code", "state"]
    list_filter = ["state", "reason"]
    readonly_fields = ["text", "note", "reason", "diagnosed_code", "pip_version", "created"]
