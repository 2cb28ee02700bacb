"""The admin for collections and their prompts."""

from __future__ import annotations

from django.contrib import admin

from fanfold.challenges.models import Collection, CollectionPrompt


class PromptInline(admin.TabularInline):
    model = CollectionPrompt
    fields = ("day", "text")
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("title", "name", "created_at")
    search_fields = ("title", "name", "description")
    prepopulated_fields = {"name": ("title",)}
    inlines = [PromptInline]
