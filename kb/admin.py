from django.contrib import admin

from kb.models import Category, Cause, Entry, Signature, SourceReference, Tool


class CauseInline(admin.StackedInline):
    model = Cause
    extra = 0


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["code", "tool", "title", "category", "severity", "status", "updated"]
    list_filter = ["status", "severity", "category", "tool"]
    search_fields = ["code", "title", "summary", "header"]
    prepopulated_fields = {"slug": ["code"]}
    filter_horizontal = ["related", "refines"]
    inlines = [CauseInline, SignatureInline]
    fieldsets = [
        (None, {"fields": ["tool", "code", "slug", "title", "summary", "category", "severity", "status"]}),
        ("Error text", {"fields": ["header"]}),
        ("Sections (Markdown)", {"fields": list(Entry.SECTIONS)}),
        ("Source and versions", {"fields": ["symbols", "pip_versions", "verified_with"]}),
        ("Links", {"fields": ["related", "refines"]}),
    ]


@admin.register(SourceReference)
class SourceReferenceAdmin(admin.ModelAdmin):
    list_display = ["symbol", "pip_version", "path", "start_line", "end_line", "entry"]
    list_filter = ["pip_version"]
    search_fields = ["symbol", "path", "entry__code"]


admin.site.register(Tool)
admin.site.register(Category)
