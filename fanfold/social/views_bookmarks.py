"""Bookmark listings: everyone's (/bookmarks/) and one account's (/users/<username>/bookmarks/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fanfold.accounts.models import User
from fanfold.core.permissions import can_delete_bookmark, can_edit_bookmark
from fanfold.search.engine import filter_tag_ids
from fanfold.social.forms import BookmarkFilterForm
from fanfold.social.models import Bookmark
from fanfold.social.views_common import paginate


def bookmark_list(request: HttpRequest) -> HttpResponse:
    return _listing(request, owner=None)


def user_bookmarks(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_object_or_404(User, username=username, is_active=True)
    return _listing(request, owner=owner)


def _listing(request: HttpRequest, *, owner: User | None) -> HttpResponse:
    viewer = request.user
    bookmarks = Bookmark.objects.visible_to(viewer).without_muted(viewer)
    if owner is not None:
        bookmarks = bookmarks.filter(user=owner)
    form = BookmarkFilterForm(request.GET or None)
    unknown: list[str] = []
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        if data["tag"]:
            bookmarks = bookmarks.with_tag(data["tag"].strip())
        if data["rec"]:
            bookmarks = bookmarks.recs()
        if data["q"]:
            bookmarks = bookmarks.notes_matching(data["q"].strip())
        names = _names(data["work_tags"])
        tag_ids = filter_tag_ids(names)
        for name in names:  # every tag must match (AND), as in the works filters
            ids = tag_ids.get(name)
            if not ids:
                unknown.append(name)
                bookmarks = bookmarks.none()
                break
            bookmarks = bookmarks.on_works_with_tags(ids)
        filtered = any(data[key] for key in ("tag", "rec", "q", "work_tags"))
    page, pagination = paginate(request, bookmarks.for_listing())
    entries = [
        {
            "bookmark": bookmark,
            "work": bookmark.work,
            "can_edit": can_edit_bookmark(viewer, bookmark),
            "can_delete": can_delete_bookmark(viewer, bookmark),
        }
        for bookmark in page.object_list
    ]
    context = {
        "owner": owner,
        "form": form,
        "entries": entries,
        "page": page,
        "pagination": pagination,
        "unknown_tags": unknown,
        "filtered": filtered,
    }
    return render(request, "social/bookmarks.html", context)


def _names(text: str) -> list[str]:
    """ "Fandom A, Character B" -> ["Fandom A", "Character B"], duplicates dropped."""
    names: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names
