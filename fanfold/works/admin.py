"""The admin for works: moderation only. Works are written through works.services, never edited here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fanfold.accounts.services import set_work_hidden
from fanfold.works.models import Chapter, Work


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ("position", "title", "word_count", "published")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("title", "creators", "draft", "restricted", "hidden_by_admin", "updated")
    list_filter = ("hidden_by_admin", "draft", "restricted", "complete", "language")
    search_fields = ("title",)
    date_hierarchy = "updated"
    inlines = [ChapterInline]
    actions = ["hide", "unhide"]
    # Text is sanitised by the posting services; editing it here would skip that, so it is read-only.
    readonly_fields = (
        "title",
        "creators",
        "summary",
        "language",
        "word_count",
        "complete",
        "published",
        "updated",
        "draft",
        "restricted",
        "hidden_by_admin",
        "source_format",
        "source_url",
        "kudos_count",
        "hits",
        "comments_count",
        "bookmarks_count",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("creatorships__pseud__user")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Creators")
    def creators(self, work: Work) -> str:
        return ", ".join(str(pseud) for pseud in work.creator_pseuds) or "(none)"

    @admin.action(description="Hide from everyone but its creators", permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        works = list(queryset)
        for work in works:
            set_work_hidden(work, True)
        self.message_user(request, f"Hid {len(works)} work{'s' if len(works) != 1 else ''}.")

    @admin.action(description="Unhide", permissions=["change"])
    def unhide(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        works = list(queryset)
        for work in works:
            set_work_hidden(work, False)
        self.message_user(request, f"Unhid {len(works)} work{'s' if len(works) != 1 else ''}.")
