"""The admin for collections, their members and works, prompt calendars and prompt memes."""

from __future__ import annotations

from django.contrib import admin

from fanfold.challenges.models import (
    CalendarFill,
    Claim,
    Collection,
    CollectionItem,
    CollectionPrompt,
    Membership,
    PromptCalendar,
    PromptMeme,
)


class PromptInline(admin.TabularInline):
    model = CollectionPrompt
    fields = ("day", "text", "poster", "anonymous")
    raw_id_fields = ("poster",)
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "status")
    raw_id_fields = ("user",)
    extra = 0


class CalendarInline(admin.StackedInline):
    model = PromptCalendar
    extra = 0


class MemeInline(admin.StackedInline):
    model = PromptMeme
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "name",
        "parent",
        "open",
        "moderated",
        "anonymous",
        "unrevealed",
        "reveal_at",
        "created_at",
    )
    list_filter = ("open", "moderated", "anonymous", "unrevealed")
    search_fields = ("title", "name", "description")
    prepopulated_fields = {"name": ("title",)}
    raw_id_fields = ("created_by", "parent")
    inlines = [CalendarInline, MemeInline, MembershipInline, PromptInline]


@admin.register(CollectionItem)
class CollectionItemAdmin(admin.ModelAdmin):
    list_display = ("work", "collection", "prompt", "status", "creator_approved", "added_at")
    list_filter = ("status", "creator_approved")
    search_fields = ("work__title", "collection__title")
    raw_id_fields = ("work", "collection", "prompt", "added_by")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "collection", "role", "status", "created_at")
    list_filter = ("role", "status")
    search_fields = ("user__username", "collection__title")
    raw_id_fields = ("user", "collection")


@admin.register(CalendarFill)
class CalendarFillAdmin(admin.ModelAdmin):
    list_display = ("item", "day", "prompt")
    raw_id_fields = ("item", "prompt")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("prompt", "user", "claimed_at", "expires_at", "fulfilled_at")
    raw_id_fields = ("prompt", "user", "work")
