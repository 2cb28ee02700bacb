"""Posting pages: new work (with preview and drafts), edit, delete, chapters, invitations, series, upload.

Thin views: the forms read the input, ``works.posting`` checks and writes, ``core.permissions`` decides
who may do what (404 for a work the visitor may not see, 403 for one they may see but not edit).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanfold.api.tags import MAX_TEXT, lookup
from fanfold.core.permissions import can_edit_work, can_post, can_view_work, is_creator, visible_works
from fanfold.imports.services import IMPORTABLE_SUFFIXES
from fanfold.works import posting
from fanfold.works.forms import TAG_FIELDS, ChapterForm, UploadForm, WorkForm
from fanfold.works.models import Chapter, CreatorInvitation, Series, SeriesWork, Work

SUGGESTIONS = 10


def _work_to_edit(request: HttpRequest, work_id: int) -> Work:
    work = get_object_or_404(Work, pk=work_id)
    if not can_view_work(request.user, work):
        raise Http404("No such work.")
    if not can_edit_work(request.user, work):
        raise PermissionDenied("Only the work's creators can change it.")
    return work


def _chapter_to_edit(request: HttpRequest, work_id: int, position: int) -> tuple[Work, Chapter]:
    work = _work_to_edit(request, work_id)
    return work, get_object_or_404(Chapter, work=work, position=position)


def _require_poster(request: HttpRequest) -> None:
    if not can_post(request.user):
        raise PermissionDenied("Your account can't post works.")


# --- a new work -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_work(request: HttpRequest) -> HttpResponse:
    """The posting form. Its buttons: Preview (nothing saved), Save as draft, Post."""
    _require_poster(request)
    if request.method == "GET":
        form = WorkForm(user=request.user)
        return render(request, "works/work_form.html", {"form": form, "editing": None})
    form = WorkForm(request.POST, user=request.user)
    action = request.POST.get("action", "post")
    if action == "edit":  # back from the preview: the same values, in the form again
        form.is_valid()
        return render(request, "works/work_form.html", {"form": form, "editing": None})
    if form.is_valid():
        data = form.to_work_input(draft=action == "draft")
        try:
            if action == "preview":
                preview = posting.preview_work(request.user, data)
                return render(request, "works/work_preview.html", {"form": form, "preview": preview})
            work = posting.post_work(request.user, data)
        except posting.PostingError as error:
            form.add_posting_error(error)
        else:
            if work.draft:
                messages.success(request, "Your draft was saved. Only you can see it until you post it.")
            else:
                messages.success(request, "Your work was posted.")
            return redirect("works:detail", work_id=work.pk)
    return render(request, "works/work_form.html", {"form": form, "editing": None}, status=400)


@require_GET
def tag_suggestions(request: HttpRequest) -> HttpResponse:
    """A <datalist> of canonical tags for the text after the last comma of a tag field (htmx)."""
    tag_type = request.GET.get("type", "")
    if tag_type not in TAG_FIELDS:
        return HttpResponse("Unknown tag type.", status=400, content_type="text/plain")
    raw = request.GET.get("q") or request.GET.get(TAG_FIELDS[tag_type], "")
    before, _, last = raw.rpartition(",")
    text = " ".join(last.split())
    prefix = ", ".join(name.strip() for name in before.split(",") if name.strip())
    options = []
    if text and len(text) <= MAX_TEXT:
        for result in lookup(text, (tag_type,), SUGGESTIONS, request.user):
            value = f"{prefix}, {result['name']}" if prefix else result["name"]
            options.append({"value": value, "name": result["name"], "works": result["works"]})
    return render(request, "works/_tag_suggestions.html", {"tag_type": tag_type, "options": options})


# --- editing, posting a draft, deleting ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit_work(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_to_edit(request, work_id)
    current = posting.work_input_from(work)
    with_pseuds = is_creator(request.user, work)
    if request.method == "GET":
        form = WorkForm(
            initial=WorkForm.initial_from(current),
            user=request.user,
            with_chapter=False,
            with_pseuds=with_pseuds,
        )
        return render(request, "works/work_form.html", {"form": form, "editing": work})
    form = WorkForm(request.POST, user=request.user, with_chapter=False, with_pseuds=with_pseuds)
    if form.is_valid():
        changes = form.to_changes(keep_related=current.related)
        if request.POST.get("action") == "post" and work.draft:
            changes["draft"] = False
        try:
            work = posting.update_work(request.user, work, changes)
        except posting.PostingError as error:
            form.add_posting_error(error)
        else:
            messages.success(
                request, "Your work was posted." if "draft" in changes else "Your changes were saved."
            )
            return redirect("works:detail", work_id=work.pk)
    return render(request, "works/work_form.html", {"form": form, "editing": work}, status=400)


@login_required
@require_POST
def post_draft(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_to_edit(request, work_id)
    try:
        posting.publish_work(request.user, work)
    except posting.PostingError as error:
        messages.error(request, f"Your draft was not posted: {error.message}")
        return redirect("works:edit", work_id=work.pk)
    messages.success(request, "Your work was posted.")
    return redirect("works:detail", work_id=work.pk)


@login_required
@require_http_methods(["GET", "POST"])
def delete_work(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_to_edit(request, work_id)
    if request.method == "POST":
        title = work.title
        try:
            posting.delete_work(request.user, work)
        except posting.PostingError as error:
            messages.error(request, error.message)
            return redirect("works:detail", work_id=work.pk)
        messages.success(request, f"“{title}” was deleted.")
        return redirect("works:drafts" if work.draft else "works:home")
    return render(request, "works/work_delete.html", {"work": work})


# --- chapters --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_chapter(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_to_edit(request, work_id)
    places = work.chapters.count() + 1
    form = ChapterForm(request.POST or None, positions=places)
    if request.method == "POST" and form.is_valid():
        try:
            chapter = posting.add_chapter(
                request.user, work, form.to_chapter_input(), position=form.cleaned_data.get("position")
            )
        except posting.PostingError as error:
            form.add_posting_error(error)
        else:
            messages.success(request, f"{chapter.display_title} was added.")
            return redirect("works:chapter", work_id=work.pk, position=chapter.position)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "works/chapter_form.html", {"form": form, "work": work, "chapter": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_chapter(request: HttpRequest, work_id: int, position: int) -> HttpResponse:
    work, chapter = _chapter_to_edit(request, work_id, position)
    if request.method == "GET":
        initial = {
            "title": chapter.title,
            "summary": chapter.summary,
            "notes": chapter.notes,
            "end_notes": chapter.end_notes,
            "body": chapter.body,
            "text_format": "html",
        }
        form = ChapterForm(initial=initial)
        return render(request, "works/chapter_form.html", {"form": form, "work": work, "chapter": chapter})
    form = ChapterForm(request.POST)
    if form.is_valid():
        try:
            posting.update_chapter(request.user, chapter, form.to_chapter_input())
        except posting.PostingError as error:
            form.add_posting_error(error)
        else:
            messages.success(request, f"{chapter.display_title} was saved.")
            return redirect("works:chapter", work_id=work.pk, position=chapter.position)
    context = {"form": form, "work": work, "chapter": chapter}
    return render(request, "works/chapter_form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def delete_chapter(request: HttpRequest, work_id: int, position: int) -> HttpResponse:
    work, chapter = _chapter_to_edit(request, work_id, position)
    if request.method == "POST":
        try:
            posting.delete_chapter(request.user, chapter)
        except posting.PostingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{chapter.display_title} was deleted.")
        return redirect("works:chapters_manage", work_id=work.pk)
    context = {"work": work, "chapter": chapter, "only_chapter": work.chapters.count() == 1}
    return render(request, "works/chapter_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def manage_chapters(request: HttpRequest, work_id: int) -> HttpResponse:
    """Reorder chapters with a number per chapter (no script needed); links to edit and delete each."""
    work = _work_to_edit(request, work_id)
    chapters = list(
        work.chapters.order_by("position").only("id", "work_id", "position", "title", "word_count")
    )
    error = ""
    if request.method == "POST":
        try:
            wanted = {c.pk: int(request.POST.get(f"position-{c.pk}", c.position)) for c in chapters}
        except ValueError:
            error = "Each chapter's new position must be a whole number."
        else:
            # Ties keep the current order, so "move chapter 4 to 1" needs only one number changed.
            order = sorted(chapters, key=lambda c: (wanted[c.pk], wanted[c.pk] == c.position, c.position))
            try:
                posting.reorder_chapters(request.user, work, [c.pk for c in order])
            except posting.PostingError as exc:
                error = exc.message
            else:
                messages.success(request, "The chapters were reordered.")
                return redirect("works:chapters_manage", work_id=work.pk)
    context = {"work": work, "chapters": chapters, "error": error}
    return render(request, "works/chapters_manage.html", context, status=400 if error else 200)


# --- my drafts and invitations ----------------------------------------------------------------------------


@login_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    works = Work.objects.drafts_of(request.user).with_listing_data().order_by("-modified_at", "-id")
    return render(request, "works/drafts.html", {"works": works})


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    """Co-creator invitations to me: accept (be credited, and able to edit) or decline."""
    mine = CreatorInvitation.objects.for_user(request.user).select_related("work", "invited_by")
    if request.method == "POST":
        invitation = get_object_or_404(mine, pk=request.POST.get("invitation") or 0)
        work = invitation.work
        try:
            if request.POST.get("answer") == "accept":
                posting.accept_invitation(request.user, invitation)
                messages.success(request, f"You are now credited as a co-creator of “{work.title}”.")
            else:
                posting.decline_invitation(request.user, invitation)
                messages.success(request, f"You declined the invitation to “{work.title}”.")
        except posting.PostingError as error:
            messages.error(request, error.message)
        return redirect("works:invitations")
    return render(request, "works/invitations.html", {"invitations": mine})


# --- series ----------------------------------------------------------------------------------------------


@require_GET
def series_detail(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    memberships = SeriesWork.objects.filter(series=series, work__in=visible_works(request.user)).order_by(
        "position", "work_id"
    )
    positions = dict(memberships.values_list("work_id", "position"))
    if not positions:
        raise Http404("No such series.")
    works = sorted(
        Work.objects.filter(pk__in=list(positions)).with_listing_data(),
        key=lambda w: (positions[w.pk], w.pk),
    )
    creators = []
    for work in works:
        for pseud in work.creator_pseuds:
            if pseud not in creators:
                creators.append(pseud)
    context = {
        "series": series,
        "works": works,
        "creators": creators,
        "word_count": sum(w.word_count for w in works),
        "updated": max(w.updated for w in works),
    }
    return render(request, "works/series_detail.html", context)


# --- uploading a file ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """A file through the importer becomes a draft, opened in the edit form for checking."""
    from fanfold.imports.limits import max_upload_bytes

    _require_poster(request)
    limit = max_upload_bytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    # Refuse an oversized body from its Content-Length, before Django spools it to disk; the multipart
    # envelope around the file is small, so 64 KiB of slack is plenty.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if request.method == "POST" and declared > limit + 64 * 1024:
        form = UploadForm({})  # bound and cleaned (nothing read from the body), so it can hold the error
        form.is_valid()
        form.errors.clear()
        form.add_error(None, f"The file is too large: the limit is {_size(limit)}.")
        return render(request, "works/import_upload.html", {"form": form, "limit": _size(limit)}, status=413)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in IMPORTABLE_SUFFIXES:
            form.add_error(
                "file",
                f"Fanfold can't read {suffix or 'files without an extension'}: use .txt, .html, .epub or .md.",
            )
        elif upload.size > limit:
            form.add_error("file", f"The file is too large: the limit is {_size(limit)}.")
        else:
            try:
                work = posting.import_upload(request.user, upload.read(), upload.name)
            except posting.PostingError as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    "Your file was imported as a draft. Check the details below, then post it.",
                )
                return redirect("works:edit", work_id=work.pk)
    status = 400 if form.errors else 200
    return render(request, "works/import_upload.html", {"form": form, "limit": _size(limit)}, status=status)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"
