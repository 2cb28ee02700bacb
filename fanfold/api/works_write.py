"""POST /works, PATCH and DELETE /works/{id}: posting through the API with ``fanfold.works.posting``,
the service the posting pages use, so both check the same rules and say the same things."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Status

from fanfold.api.auth import LOGGED_IN
from fanfold.api.common import visible_work_or_404
from fanfold.api.schemas import Error, PostingErrorOut, WorkDetailOut, WorkIn, WorkPatch
from fanfold.api.works import router, work_detail
from fanfold.core import permissions
from fanfold.works import posting

_AUTH_NOTE = (
    " Send an API token (Authorization: Bearer <token>), or the session cookie with the X-CSRFToken header."
)
_ERRORS = (
    " 400 gives the posting form's message for the first problem found and the field at fault "
    '(e.g. {"detail": "...", "field": "chapters.1.body"}); nothing is saved.'
)


def _related(items: list[dict[str, Any]]) -> list[posting.RelatedInput]:
    return [posting.RelatedInput(**item) for item in items]


def _refused(error: posting.PostingError, *, allowed: bool) -> Status:
    """A PostingError is 403 when the caller may not do this at all, else 400 (bad input)."""
    if not allowed:
        return Status(403, {"detail": error.message, "field": None})
    return Status(400, {"detail": error.message, "field": error.field})


def _shown(request: HttpRequest, work_id: int) -> dict[str, Any]:
    data = work_detail(request.user, work_id)
    if data is None:  # cannot happen to its creator or staff, who may see every work of theirs
        raise Http404
    return data


@router.post(
    "",
    auth=LOGGED_IN,
    response={201: WorkDetailOut, 400: PostingErrorOut, 401: Error, 403: Error},
    summary="Post a work",
    description=(
        "Posts a work with its chapters and tags (or saves it as a draft, draft: true), exactly as "
        "the posting form does: tags are resolved to canonical tags, texts sanitised, subscribers "
        "told of a posted work. 201 with the work as GET /works/{id} shows it." + _ERRORS + _AUTH_NOTE
    ),
    url_name="work_create",
)
def create_work(request: HttpRequest, data: WorkIn):
    fields = data.model_dump(exclude={"chapters", "related"})
    work_input = posting.WorkInput(
        **fields,
        chapters=[posting.ChapterInput(**chapter.model_dump()) for chapter in data.chapters],
        related=_related([r.model_dump() for r in data.related]),
    )
    try:
        work = posting.post_work(request.user, work_input)
    except posting.PostingError as error:
        return _refused(error, allowed=permissions.can_post(request.user))
    return Status(201, _shown(request, work.pk))


@router.patch(
    "/{work_id}",
    auth=LOGGED_IN,
    response={200: WorkDetailOut, 400: PostingErrorOut, 401: Error, 403: Error, 404: Error},
    summary="Change a work",
    description=(
        "Changes only the fields sent; the others keep their values. draft: false posts a draft "
        "(a posted work can't become a draft again). 403 unless you are one of the work's creators "
        "(or staff); 404 when there is no such work or you may not see it." + _ERRORS + _AUTH_NOTE
    ),
    url_name="work_update",
)
def update_work(request: HttpRequest, work_id: int, data: WorkPatch):
    work = visible_work_or_404(request, work_id)
    changes = data.model_dump(exclude_unset=True)
    if "related" in changes:
        changes["related"] = _related(changes["related"])
    try:
        posting.update_work(request.user, work, changes)
    except posting.PostingError as error:
        return _refused(error, allowed=permissions.can_edit_work(request.user, work))
    return _shown(request, work.pk)


@router.delete(
    "/{work_id}",
    auth=LOGGED_IN,
    response={204: None, 401: Error, 403: Error, 404: Error},
    summary="Delete a work",
    description=(
        "Deletes the work with its chapters, comments, kudos and bookmarks. 403 unless you are one "
        "of its creators (or staff); 404 when there is no such work or you may not see it." + _AUTH_NOTE
    ),
    url_name="work_delete",
)
def delete_work(request: HttpRequest, work_id: int):
    work = visible_work_or_404(request, work_id)
    try:
        posting.delete_work(request.user, work)
    except posting.PostingError as error:
        return _refused(error, allowed=permissions.can_delete_work(request.user, work))
    return HttpResponse(status=204)
