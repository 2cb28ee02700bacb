"""Readers' actions through the API: kudos, comments, bookmarks, mutes and blocks.

Each write calls the same ``fanfold.social.services`` function as the site's pages, so the rules
(and their messages) are the same. A service refuses with one error class per action; whether the
refusal is a rule the caller broke (403) or bad input (400) is read from ``core.permissions``, the
one place those rules live.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import Field

from fanfold.accounts.models import User
from fanfold.api.auth import LOGGED_IN, LOGGED_IN_OR_GUEST, client_ip
from fanfold.api.common import MAX_PAGE, page_of, valid_id, visible_work_or_404
from fanfold.api.schemas import (
    BookmarkIn,
    BookmarkListOut,
    BookmarkOut,
    BookmarkPatch,
    CommentIn,
    CommentListOut,
    CommentOut,
    Error,
    KudosOut,
    UsernameIn,
    UserRelationListOut,
    UserRelationOut,
)
from fanfold.core import permissions
from fanfold.social import services
from fanfold.social.models import Block, Bookmark, Comment, Mute, muted_user_ids
from fanfold.works.models import Creatorship

work_actions = Router(tags=["kudos and comments"])
bookmarks = Router(tags=["bookmarks"])
mutes = Router(tags=["mutes and blocks"])
blocks = Router(tags=["mutes and blocks"])

THREADS_PER_PAGE = 20

_AUTH_NOTE = (
    " Send an API token (Authorization: Bearer <token>), or the session cookie with the X-CSRFToken header."
)
_GUEST_NOTE = " Guests may call it too (no token, no session)."


# OpenAPI: the empty requirement marks the endpoints a guest may call without credentials.
_GUEST_SECURITY: dict[str, Any] = {"security": [{"TokenAuth": []}, {"SessionAuth": []}, {}]}
_RETRY_AFTER: dict[str, Any] = {
    "responses": {
        "429": {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        }
    }
}


class PageQuery(Schema):
    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1.")


def _account(request: HttpRequest) -> Any:
    """The logged-in user, or None for a guest."""
    return request.user if request.user.is_authenticated else None


# --- Kudos ----------------------------------------------------------------------------------------------


@work_actions.post(
    "/{work_id}/kudos",
    auth=LOGGED_IN_OR_GUEST,
    response={201: KudosOut, 400: Error, 403: Error, 404: Error, 409: Error, 429: Error},
    summary="Leave kudos on a work",
    description=(
        "Leaves kudos as the token's (or session's) user, or as a guest, once per IP address. "
        "409 when you (or, as a guest, your IP address) already left kudos on the work; 403 on your "
        "own work or when a creator blocked you; 404 when there is no such work or you may not see "
        "it; 429 (with Retry-After) when kudos come too fast." + _AUTH_NOTE + _GUEST_NOTE
    ),
    url_name="work_kudos",
    openapi_extra={**_GUEST_SECURITY, **_RETRY_AFTER},
)
def give_kudos(request: HttpRequest, work_id: int):
    work = visible_work_or_404(request, work_id)
    try:
        services.give_kudos(work, user=_account(request), ip=client_ip(request))
    except services.KudosRefused as refused:
        # Not a rule the caller broke, so the kudos is already there (once per user or IP).
        broke_rule = permissions.kudos_refusal(_account(request), work) is not None
        return Status(403 if broke_rule else 409, {"detail": refused.message})
    return Status(201, {"work_id": work.pk, "kudos": work.kudos_count})


# --- Comments -------------------------------------------------------------------------------------------


@work_actions.get(
    "/{work_id}/comments",
    response={200: CommentListOut, 400: Error, 404: Error},
    summary="A work's comments",
    description=(
        "The published comments you may see (not muted users'), as a flat list: each thread's first "
        "comment followed by its replies, with parent_id and depth to rebuild the tree. Pages hold "
        f"{THREADS_PER_PAGE} threads. 404 when there is no such work or you may not see it."
    ),
    url_name="work_comments",
)
def list_comments(request: HttpRequest, work_id: int, query: Query[PageQuery]):
    work = visible_work_or_404(request, work_id)
    visible = Comment.objects.filter(work=work).visible_to(request.user)
    rows = list(visible.order_by("created_at", "id").values_list("id", "parent_id"))
    shown = {comment_id for comment_id, _ in rows}
    replies: dict[int, list[int]] = defaultdict(list)
    threads = []
    for comment_id, parent_id in rows:
        # A reply whose parent you cannot see (a muted author's) starts a thread of its own.
        if parent_id in shown:
            replies[parent_id].append(comment_id)
        else:
            threads.append(comment_id)
    page_threads, _, num_pages = page_of(threads, query.page, THREADS_PER_PAGE)
    ordered: list[tuple[int, int]] = []  # (comment id, depth), depth first
    stack = [(comment_id, 0) for comment_id in reversed(page_threads)]
    while stack:
        comment_id, depth = stack.pop()
        ordered.append((comment_id, depth))
        stack.extend((reply, depth + 1) for reply in reversed(replies[comment_id]))
    found = visible.thread_order().in_bulk([comment_id for comment_id, _ in ordered])
    return {
        "count": len(rows),
        "page": query.page,
        "num_pages": num_pages,
        "results": [_comment_fields(found[comment_id], depth) for comment_id, depth in ordered],
    }


def _comment_fields(comment: Comment, depth: int) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "depth": depth,
        "chapter": comment.chapter.position if comment.chapter_id and comment.chapter else None,
        "author": comment.author_name,
        "guest": comment.is_guest,
        "body": comment.display_body,
        "deleted": comment.deleted,
        "frozen": comment.frozen,
        "status": comment.status,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


@work_actions.post(
    "/{work_id}/comments",
    auth=LOGGED_IN_OR_GUEST,
    response={201: CommentOut, 400: Error, 403: Error, 404: Error, 429: Error},
    summary="Comment on a work, or reply to a comment",
    description=(
        "Posts a comment on the work, on one chapter (chapter: its position) or as a reply "
        "(parent_id). Guests give a name and an email address, when the work takes guests' comments. "
        "On a moderated work the comment waits for the creators' approval (status pending). 403 with "
        "the reason when you may not comment (comments off, logged-in users only, blocked, frozen "
        "thread); 400 for bad input; 429 (with Retry-After) when comments come too fast."
        + _AUTH_NOTE
        + _GUEST_NOTE
    ),
    url_name="work_comment_create",
    openapi_extra={**_GUEST_SECURITY, **_RETRY_AFTER},
)
def create_comment(request: HttpRequest, work_id: int, data: CommentIn):
    work = visible_work_or_404(request, work_id)
    chapter = None
    if data.chapter is not None:
        chapter = work.chapters.filter(position=data.chapter).first()
        if chapter is None:
            return Status(400, {"detail": f"chapter: this work has no chapter {data.chapter}."})
    parent = None
    if data.parent_id is not None:
        parent = Comment.objects.filter(pk=data.parent_id, work=work).select_related("chapter").first()
        if parent is None:
            return Status(400, {"detail": f"parent_id: this work has no comment {data.parent_id}."})
    try:
        comment = services.post_comment(
            work,
            data.body,
            user=_account(request),
            guest_name=data.name,
            guest_email=data.email,
            chapter=chapter,
            parent=parent,
            ip=client_ip(request),
        )
    except services.CommentRefused as refused:
        broke_rule = permissions.comment_refusal(_account(request), work, parent) is not None
        return Status(403 if broke_rule else 400, {"detail": refused.message})
    comment = Comment.objects.select_related("user", "pseud", "chapter").get(pk=comment.pk)
    return Status(201, _comment_fields(comment, 0 if parent is None else 1))


# --- Bookmarks ------------------------------------------------------------------------------------------


class BookmarkQuery(PageQuery):
    user: str = Field(
        default="", max_length=150, description="Someone's username: their bookmarks that you may see."
    )


@bookmarks.get(
    "",
    auth=LOGGED_IN_OR_GUEST,
    response={200: BookmarkListOut, 400: Error, 401: Error, 404: Error},
    summary="List bookmarks",
    description=(
        "Without user: your own bookmarks, private ones included (log in first). With "
        "?user=USERNAME: that user's public bookmarks of works you may see (none when you muted "
        "them); bookmarks of works by creators you muted are left out. 404 when there is no such user."
        + _AUTH_NOTE
    ),
    url_name="bookmark_list",
    openapi_extra=_GUEST_SECURITY,
)
def list_bookmarks(request: HttpRequest, query: Query[BookmarkQuery]):
    viewer = _account(request)
    if query.user:
        owner = User.objects.filter(username__iexact=query.user).first()
        if owner is None:
            return Status(404, {"detail": f"There is no user named {query.user!r}."})
    elif viewer is None:
        raise AuthenticationError()
    else:
        owner = viewer
    found = Bookmark.objects.filter(user=owner).visible_to(viewer).select_related("work", "user")
    if viewer is not None and owner.pk != viewer.pk:
        muted = muted_user_ids(viewer)
        if owner.pk in muted:
            found = found.none()
        elif muted:
            found = found.exclude(
                work__in=Creatorship.objects.filter(pseud__user_id__in=muted).values("work_id")
            )
    results, count, num_pages = page_of(found, query.page)
    return {
        "count": count,
        "page": query.page,
        "num_pages": num_pages,
        "results": [_bookmark_fields(b) for b in results],
    }


def _bookmark_fields(bookmark: Bookmark) -> dict[str, Any]:
    return {
        "id": bookmark.pk,
        "work_id": bookmark.work_id,
        "work_title": bookmark.work.title,
        "work_url": reverse("works:detail", args=[bookmark.work_id]),
        "user": bookmark.user.username,
        "notes": bookmark.notes,
        "tags": list(bookmark.tags or []),
        "rec": bookmark.rec,
        "private": bookmark.private,
        "created_at": bookmark.created_at,
        "updated_at": bookmark.updated_at,
    }


def _bookmark_or_404(request: HttpRequest, bookmark_id: int) -> Bookmark:
    """The bookmark, when the caller may see it (a private one only its owner)."""
    bookmark = None
    if valid_id(bookmark_id):
        bookmark = (
            Bookmark.objects.filter(pk=bookmark_id)
            .visible_to(request.user)
            .select_related("work", "user")
            .first()
        )
    if bookmark is None:
        raise Http404
    return bookmark


@bookmarks.post(
    "",
    auth=LOGGED_IN,
    response={201: BookmarkOut, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="Bookmark a work",
    description=(
        "Bookmarks the work with your notes and tags, as a rec or private. 409 when you already "
        "bookmarked it (change that bookmark with PATCH); 404 when there is no such work or you may "
        "not see it." + _AUTH_NOTE
    ),
    url_name="bookmark_create",
)
def create_bookmark(request: HttpRequest, data: BookmarkIn):
    work = visible_work_or_404(request, data.work_id)
    try:
        bookmark = services.create_bookmark(
            request.user, work, notes=data.notes, tags=data.tags, rec=data.rec, private=data.private
        )
    except services.BookmarkRefused as refused:
        exists = Bookmark.objects.filter(user=_account(request), work=work).exists()
        return Status(409 if exists else 400, {"detail": refused.message})
    bookmark = Bookmark.objects.select_related("work", "user").get(pk=bookmark.pk)
    return Status(201, _bookmark_fields(bookmark))


@bookmarks.patch(
    "/{bookmark_id}",
    auth=LOGGED_IN,
    response={200: BookmarkOut, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Change a bookmark",
    description=(
        "Changes only the fields you send. 403 when the bookmark is someone else's; 404 when there "
        "is no such bookmark or you may not see it." + _AUTH_NOTE
    ),
    url_name="bookmark_update",
)
def update_bookmark(request: HttpRequest, bookmark_id: int, data: BookmarkPatch):
    bookmark = _bookmark_or_404(request, bookmark_id)
    changes = {key: value for key, value in data.model_dump(exclude_unset=True).items() if value is not None}
    try:
        bookmark = services.update_bookmark(request.user, bookmark, **changes)
    except services.BookmarkRefused as refused:
        broke_rule = not permissions.can_edit_bookmark(request.user, bookmark)
        return Status(403 if broke_rule else 400, {"detail": refused.message})
    bookmark.refresh_from_db()
    return _bookmark_fields(bookmark)


@bookmarks.delete(
    "/{bookmark_id}",
    auth=LOGGED_IN,
    response={204: None, 401: Error, 403: Error, 404: Error},
    summary="Delete a bookmark",
    description="Deletes your bookmark (staff may delete any public one)." + _AUTH_NOTE,
    url_name="bookmark_delete",
)
def delete_bookmark(request: HttpRequest, bookmark_id: int):
    bookmark = _bookmark_or_404(request, bookmark_id)
    try:
        services.delete_bookmark(request.user, bookmark)
    except services.BookmarkRefused as refused:
        return Status(403, {"detail": refused.message})
    return HttpResponse(status=204)


# --- Mutes and blocks -----------------------------------------------------------------------------------
#
# Both lists work the same way, so one function makes each router's three endpoints.


def _user_relation_endpoints(
    router: Router, *, model: type[Mute] | type[Block], verb: str, effect: str, add, remove
) -> None:
    owner_field, other_field = ("muter", "muted") if model is Mute else ("blocker", "blocked")
    past = f"{verb}d"

    def relation_fields(row: Mute | Block) -> dict[str, Any]:
        return {"username": getattr(row, other_field).username, "created_at": row.created_at}

    @router.get(
        "",
        auth=LOGGED_IN,
        response={200: UserRelationListOut, 401: Error},
        summary=f"Users you {past}",
        description=f"Everyone you {past}, most recent first." + _AUTH_NOTE,
        url_name=f"{verb}_list",
        operation_id=f"list_{verb}s",
    )
    def list_relations(request: HttpRequest):
        rows = model.objects.filter(**{owner_field: request.user}).select_related(other_field)
        return {"results": [relation_fields(r) for r in rows.order_by("-created_at", "-id")]}

    @router.post(
        "",
        auth=LOGGED_IN,
        response={201: UserRelationOut, 400: Error, 401: Error, 403: Error, 404: Error},
        summary=f"{verb.capitalize()} a user",
        description=(
            f"{effect} Doing it again changes nothing (201 again). 403 for yourself or site staff; "
            "404 when there is no such user." + _AUTH_NOTE
        ),
        url_name=f"{verb}_create",
        operation_id=f"create_{verb}",
    )
    def create_relation(request: HttpRequest, data: UsernameIn):
        other = User.objects.filter(username__iexact=data.username).first()
        try:
            row = add(request.user, other)
        except services.BlockRefused as refused:
            return Status(404 if other is None else 403, {"detail": refused.message})
        return Status(201, relation_fields(row))

    @router.delete(
        "/{username}",
        auth=LOGGED_IN,
        response={204: None, 401: Error, 404: Error},
        summary=f"Un{verb} a user",
        description=f"404 when you have not {past} that user." + _AUTH_NOTE,
        url_name=f"{verb}_delete",
        operation_id=f"delete_{verb}",
    )
    def delete_relation(request: HttpRequest, username: str):
        other = User.objects.filter(username__iexact=username).first()
        if other is None or not remove(request.user, other):
            return Status(404, {"detail": f"You have not {past} {username!r}."})
        return HttpResponse(status=204)


_user_relation_endpoints(
    mutes,
    model=Mute,
    verb="mute",
    effect="Their works, bookmarks and comments disappear from your listings, and from the counts.",
    add=services.mute_user,
    remove=services.unmute_user,
)
_user_relation_endpoints(
    blocks,
    model=Block,
    verb="block",
    effect="They can no longer comment on your works, reply to your comments, leave kudos or gift you.",
    add=services.block_user,
    remove=services.unblock_user,
)
