"""The admin for readers' actions: comment moderation and bookmarks, through social.services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fanfold.social import services
from fanfold.social.models import Bookmark, Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "work", "author", "status", "deleted", "frozen", "created_at")
    list_filter = ("status", "deleted", "frozen")
    search_fields = ("body", "guest_name", "guest_email", "user__username", "work__title")
    list_select_related = ("work", "user", "pseud")
    date_hierarchy = "created_at"
    actions = ["approve", "mark_spam", "freeze", "unfreeze"]
    # Status and freezing change counters and threads: they are changed by the actions only.
    fields = (
        "work",
        "chapter",
        "parent",
        "user",
        "pseud",
        "guest_name",
        "guest_email",
        "body",
        "status",
        "deleted",
        "frozen",
        "created_at",
        "edited_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Author")
    def author(self, comment: Comment) -> str:
        if comment.user_id is None and not comment.guest_name:
            return "(deleted account)"
        return comment.author_name

    def _each(self, request: HttpRequest, queryset: QuerySet[Comment], apply, done: str) -> None:
        count = 0
        for comment in queryset.select_related("work"):
            try:
                apply(comment)
            except services.SocialError as error:
                self.message_user(request, f"Comment {comment.pk}: {error.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(request, f"{done} {count} comment{'s' if count != 1 else ''}.")

    @admin.action(description="Approve (publish)", permissions=["change"])
    def approve(self, request, queryset):
        self._each(
            request, queryset, lambda c: services.moderate_comment(request.user, c, approve=True), "Approved"
        )

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.moderate_comment(request.user, c, approve=False),
            "Marked as spam",
        )

    @admin.action(description="Freeze thread", permissions=["change"])
    def freeze(self, request, queryset):
        self._each(
            request, queryset, lambda c: services.freeze_thread(request.user, c), "Froze the threads of"
        )

    @admin.action(description="Unfreeze thread", permissions=["change"])
    def unfreeze(self, request, queryset):
        self._each(
            request, queryset, lambda c: services.unfreeze_thread(request.user, c), "Unfroze the threads of"
        )

    def delete_model(self, request, obj):
        services.delete_comment(request.user, obj)  # keeps the work's comment count right

    def delete_queryset(self, request, queryset):
        for pk in list(queryset.values_list("pk", flat=True)):
            # Deleting one comment may remove others (a placeholder parent whose last reply went).
            comment = Comment.objects.select_related("work").filter(pk=pk).first()
            if comment is not None:
                services.delete_comment(request.user, comment)


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ("work", "user", "rec", "private", "created_at")
    list_filter = ("rec", "private")
    search_fields = ("user__username", "work__title", "notes")
    list_select_related = ("work", "user")
    fields = ("user", "work", "notes", "tags", "rec", "private", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def delete_model(self, request, obj):
        services.delete_bookmark(request.user, obj)  # keeps the work's bookmark count right

    def delete_queryset(self, request, queryset):
        for bookmark in queryset:
            services.delete_bookmark(request.user, bookmark)
