"""The admin for tags: who wrangles which fandom, and a read-only view of tags and their history.

Tags change only through the wrangling pages (tags.wrangling), which check the rules and keep the
history; the admin does not edit them.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fanfold.tags.models import Tag, TagChange, TagComment, TagType, WranglerAssignment


@admin.register(WranglerAssignment)
class WranglerAssignmentAdmin(admin.ModelAdmin):
    """Assign wranglers to fandoms (the account must also be in the "Tag Wranglers" group)."""

    list_display = ("user", "fandom", "created_at")
    list_filter = ("fandom",)
    search_fields = ("user__username", "fandom__name")
    autocomplete_fields = ("user", "fandom")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fandom":
            kwargs["queryset"] = Tag.objects.filter(type=TagType.FANDOM, canonical=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(_ReadOnly):
    list_display = ("name", "type", "canonical", "merger", "unwrangleable")
    list_filter = ("type", "canonical", "unwrangleable")
    search_fields = ("name", "name_key")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # works point at tags; a tag is merged, never deleted


@admin.register(TagChange)
class TagChangeAdmin(_ReadOnly):
    list_display = ("tag", "action", "user", "created_at")
    list_filter = ("action",)
    search_fields = ("tag__name", "user__username")
    date_hierarchy = "created_at"


@admin.register(TagComment)
class TagCommentAdmin(admin.ModelAdmin):
    """Comments can be removed here (moderation); they are written on the tag's wrangling page."""

    list_display = ("tag", "user", "created_at")
    search_fields = ("tag__name", "user__username", "body")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
