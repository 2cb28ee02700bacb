"""An account's public profile: its pseuds, and the works, series and bookmarks the viewer may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fanfold.accounts.models import User
from fanfold.core.permissions import bookmark_visibility_q, visible_works
from fanfold.social.models import Bookmark
from fanfold.works.models import Creatorship, Series

RECENT_WORKS = 5
RECENT_BOOKMARKS = 5


def profile(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username__iexact=username)
    if user.username != username:
        return redirect("profiles:detail", username=user.username)
    viewer = request.user
    # The owner sees their drafts here too (marked as drafts); listings leave drafts out.
    works = visible_works(viewer).filter(
        Exists(Creatorship.objects.filter(work=OuterRef("pk"), pseud__user=user))
    )
    if user.is_orphan_account:
        return render(
            request, "accounts/orphan_account.html", {"profile_user": user, "work_count": works.count()}
        )
    bookmarks = Bookmark.objects.filter(user=user).filter(bookmark_visibility_q(viewer))
    context = {
        "profile_user": user,
        "is_own_profile": viewer.is_authenticated and viewer.pk == user.pk,
        "pseuds": user.pseuds.order_by("-is_default", "name"),
        "work_count": works.count(),
        "recent_works": works.with_listing_data().order_by("-updated", "-id")[:RECENT_WORKS],
        "series_list": Series.objects.filter(memberships__work__in=works.values("pk"))
        .distinct()
        .order_by("title"),
        "bookmark_count": bookmarks.count(),
        "recent_bookmarks": bookmarks.select_related("work").order_by("-created_at", "-id")[
            :RECENT_BOOKMARKS
        ],
    }
    return render(request, "accounts/profile.html", context)
