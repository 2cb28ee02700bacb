"""Comments on a work page: threads, posting, replies, edits, deletion, moderation, frozen threads.

With htmx, every successful action redraws the whole comments section (``#comments``); the section
sends its scope (``chapter``, ``full``) with each request through ``hx-vals``. A failed reply or edit
redraws only its form, with the text kept. Without JavaScript each action has its own page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from fanfold.core.permissions import (
    can_delete_comment,
    can_edit_comment,
    can_moderate_comments,
    comment_refusal,
    edit_comment_refusal,
)
from fanfold.core.ratelimit import RateLimited
from fanfold.social.forms import CommentEditForm, CommentForm, CommentSettingsForm
from fanfold.social.models import Comment, CommentSettings
from fanfold.social.services import (
    CommentRefused,
    delete_comment,
    edit_comment,
    freeze_thread,
    moderate_comment,
    post_comment,
    unfreeze_thread,
    update_comment_settings,
)
from fanfold.social.views_common import (
    client_ip,
    go_back,
    is_htmx,
    paginate,
    refusal_page,
    viewable_work,
)
from fanfold.works.models import Chapter, Work

AWAITING_APPROVAL = "Your comment was received. It will appear once a creator of the work approves it."


@dataclass
class Thread:
    """A comment, what the viewer may do with it, and the replies under it."""

    comment: Comment
    can_edit: bool
    can_delete: bool
    replies: list[Thread] = field(default_factory=list)


# Threads (a top-level comment with every reply under it) per page of the comments section.
THREADS_PER_PAGE = 20


def _visible_in_scope(work: Work, user, chapter: Chapter | None, full: bool):
    comments = Comment.objects.filter(work=work).visible_to(user)
    if chapter is not None and not full:
        comments = comments.filter(chapter=chapter)
    return comments


@dataclass
class ThreadIndex:
    """Which thread each visible comment belongs to, from one light query of ids (no bodies)."""

    roots: list[int]  # top-level comment ids, oldest first
    root_of: dict[int, int]  # comment id -> its top-level comment's id (replies under hidden ones left out)
    shown: int  # visible comments that are not deleted (the section's count)

    @classmethod
    def of(cls, comments) -> ThreadIndex:
        rows = list(comments.order_by("created_at", "id").values_list("id", "parent_id", "deleted"))
        parent = {cid: pid for cid, pid, _ in rows}
        root_of: dict[int, int] = {}
        for cid, _, _ in rows:  # oldest first: a parent is placed before its replies
            pid = parent[cid]
            if pid is None:
                root_of[cid] = cid
            elif pid in root_of:
                root_of[cid] = root_of[pid]
        roots = [cid for cid, pid, _ in rows if pid is None]
        shown = sum(1 for cid, _, deleted in rows if not deleted and cid in root_of)
        return cls(roots, root_of, shown)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.roots) // THREADS_PER_PAGE))

    def page_of(self, comment_id: int) -> int:
        root = self.root_of.get(comment_id)
        if root is None:
            return 1
        return self.roots.index(root) // THREADS_PER_PAGE + 1

    def ids_on(self, page: int) -> list[int]:
        start = (page - 1) * THREADS_PER_PAGE
        roots = set(self.roots[start : start + THREADS_PER_PAGE])
        return [cid for cid, root in self.root_of.items() if root in roots]


def _section_url(work: Work, chapter: Chapter | None, full: bool, page: int = 1) -> str:
    """The page that shows the comments of this scope (chapter, whole work), at a page of threads."""
    params = []
    if chapter is not None and not full:
        base = reverse("works:chapter", args=[work.pk, chapter.position])
    else:
        base = reverse("works:detail", args=[work.pk])
        if full:
            params.append("view_full_work=true")
    if page > 1:
        params.append(f"comments_page={page}")
    return base + (f"?{'&'.join(params)}" if params else "")


def comment_url(comment: Comment, user=None) -> str:
    """Where a comment is shown: its chapter's page, or the full work for whole-work comments, at the
    page of threads that holds it (for this viewer, who may not see every comment)."""
    chapter = comment.chapter if comment.chapter_id else None
    work = comment.work
    # A work of one chapter shows all its comments together on its chapter page (works.views).
    together = chapter is None or Chapter.objects.filter(work_id=work.pk).count() <= 1
    page = ThreadIndex.of(_visible_in_scope(work, user, chapter, together)).page_of(comment.pk)
    return f"{_section_url(work, chapter, chapter is None, page)}#comment-{comment.pk}"


def _comments_url(work: Work, chapter: Chapter | None, full: bool) -> str:
    return _section_url(work, chapter, full) + "#comments"


def build_threads(request: HttpRequest, work: Work, comments) -> list[Thread]:
    """Nest the comments. A reply under a comment the viewer does not see goes with it."""
    user = request.user
    nodes: dict[int, Thread] = {}
    roots: list[Thread] = []
    for comment in comments:
        comment.work = work  # the work with its creators prefetched: permission checks cost nothing
        nodes[comment.pk] = Thread(
            comment, can_edit_comment(user, comment), can_delete_comment(user, comment)
        )
    for node in nodes.values():
        parent_id = node.comment.parent_id
        if parent_id is None:
            roots.append(node)
        elif parent_id in nodes:
            nodes[parent_id].replies.append(node)
    return roots


def comments_context(
    request: HttpRequest,
    work: Work,
    *,
    chapter: Chapter | None,
    full: bool,
    form: CommentForm | None = None,
    notice: str = "",
    error: bool = False,
    show: Comment | None = None,
) -> dict:
    """The comments section: threads on the chapter shown (every comment in the full view), a page of
    THREADS_PER_PAGE threads at a time (the page that holds ``show`` when given), the form."""
    user = request.user
    comments = _visible_in_scope(work, user, chapter, full)
    index = ThreadIndex.of(comments)
    if show is not None and show.pk in index.root_of:
        page = index.page_of(show.pk)
    else:  # the page the viewer is on (a comment awaiting moderation is on no page yet)
        data = request.POST if request.method == "POST" else request.GET
        raw = data.get("comments_page", "")
        page = int(raw) if raw.isdigit() else 1
    page = min(max(page, 1), index.pages)
    # Only the page's threads are read in full and rendered: a work with thousands of comments
    # costs one query of ids plus twenty threads.
    listed = list(comments.filter(id__in=index.ids_on(page)).thread_order())
    moderator = can_moderate_comments(user, work)
    return {
        "work": work,
        "comments": {
            "threads": build_threads(request, work, listed),
            "count": index.shown,
            "page": page,
            "pages": index.pages,
            "pagination": _thread_pagination(work, chapter, full, page, index.pages),
            # Name each comment's chapter where comments of several chapters are listed together.
            "label_chapters": (full or chapter is None) and getattr(work, "chapters_posted", 2) > 1,
            "chapter": chapter,
            "full": full,
            "refusal": comment_refusal(user, work),
            "form": form or CommentForm(user=user, auto_id="comment-%s"),
            "moderator": moderator,
            "pending": Comment.objects.filter(work=work).pending().count() if moderator else 0,
            "notice": notice,
            "error": error,
        },
    }


def _thread_pagination(work: Work, chapter: Chapter | None, full: bool, page: int, pages: int) -> dict | None:
    """Links to the pages of threads, as works/_pagination.html draws them (long runs elided)."""
    if pages <= 1:
        return None

    def link(number: int) -> str:
        return _section_url(work, chapter, full, number) + "#comments"

    links: list[dict[str, object]] = []
    for number in Paginator(range(pages), 1).get_elided_page_range(page, on_each_side=2, on_ends=1):
        if number == Paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": link(int(number)), "current": number == page})
    return {
        "previous": link(page - 1) if page > 1 else "",
        "next": link(page + 1) if page < pages else "",
        "links": links,
    }


def _scope(request: HttpRequest, work: Work) -> tuple[Chapter | None, bool]:
    """The chapter a comment goes to (and the section shows) and whether the full work is shown."""
    data = request.POST if request.method == "POST" else request.GET
    full = data.get("full", "") == "1"
    raw = data.get("chapter", "")
    chapter = None
    if raw.isdigit():
        chapter = Chapter.objects.filter(work=work, pk=int(raw)).only("id", "work_id", "position").first()
    return chapter, full


def _section(request: HttpRequest, work: Work, status: int = 200, **kwargs) -> HttpResponse:
    chapter, full = _scope(request, work)
    context = comments_context(request, work, chapter=chapter, full=full, **kwargs)
    return render(request, "social/_comments.html", context, status=status)


def _visible_comment(request: HttpRequest, comment_id: int) -> tuple[Comment, Work]:
    """A published comment on a work this visitor may see, with that work (404 otherwise)."""
    comment = get_object_or_404(Comment.objects.select_related("chapter", "user", "pseud"), pk=comment_id)
    work = viewable_work(request, comment.work_id)
    if not Comment.objects.filter(pk=comment.pk).visible_to(request.user).exists():
        raise Http404("No such comment.")
    comment.work = work
    return comment, work


# --- posting -------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    work: Work,
    form,
    *,
    status: int = 200,
    message: str = "",
    parent: Comment | None = None,
    editing: Comment | None = None,
    chapter: Chapter | None = None,
    full: bool = False,
) -> HttpResponse:
    """The page a comment form falls back to without JavaScript, or after a failed post."""
    shown = editing or parent
    if editing is not None:
        action = reverse("social:comment_edit", args=[editing.pk])
    elif parent is not None:
        action = reverse("social:comment_reply", args=[parent.pk])
    else:
        action = reverse("social:comment_post", args=[work.pk])
    context = {
        "work": work,
        "form": form,
        "message": message,
        "parent": parent,
        "editing": editing,
        "action": action,
        "chapter": chapter,
        "full": full,
        "back_url": _comments_url(work, chapter, full) if shown is None else comment_url(shown, request.user),
    }
    return render(request, "social/comment_form.html", context, status=status)


@dataclass
class Outcome:
    """What posting a comment came to: the comment, or why not (with the HTTP status to answer)."""

    comment: Comment | None
    message: str
    status: int = 200
    retry_after: int | None = None

    def mark(self, response: HttpResponse) -> HttpResponse:
        if self.retry_after is not None:
            response["Retry-After"] = str(self.retry_after)
        return response


def _post(request: HttpRequest, work: Work, form: CommentForm, *, chapter, parent) -> Outcome:
    refusal = comment_refusal(request.user, work, parent)
    if refusal:
        return Outcome(None, refusal, 403)
    if not form.is_valid():
        return Outcome(None, "", 400)
    data = form.cleaned_data
    try:
        comment = post_comment(
            work,
            data["body"],
            user=request.user,
            pseud=data.get("pseud"),
            guest_name=data.get("guest_name", ""),
            guest_email=data.get("guest_email", ""),
            chapter=chapter,
            parent=parent,
            ip=client_ip(request),
        )
    except CommentRefused as refused:
        return Outcome(None, refused.message, 400)
    except RateLimited as limited:
        return Outcome(None, limited.message, 429, limited.retry_after)
    pending = comment.status == Comment.Status.PENDING
    return Outcome(comment, AWAITING_APPROVAL if pending else "Comment posted.")


@require_http_methods(["GET", "POST"])
def comment_post(request: HttpRequest, work_id: int) -> HttpResponse:
    """A new top-level comment on the work (or the chapter shown)."""
    work = viewable_work(request, work_id)
    chapter, full = _scope(request, work)
    if request.method == "GET":
        form = CommentForm(user=request.user, auto_id="comment-%s")
        message = comment_refusal(request.user, work) or ""
        shown = None if message else form  # refused: the reason, without a form that cannot be sent
        return _form_page(request, work, shown, message=message, chapter=chapter, full=full)
    form = CommentForm(request.POST, user=request.user, auto_id="comment-%s")
    outcome = _post(request, work, form, chapter=chapter, parent=None)
    comment = outcome.comment
    if comment is None:
        if is_htmx(request):
            return outcome.mark(
                _section(request, work, status=outcome.status, form=form, notice=outcome.message, error=True)
            )
        page = _form_page(
            request, work, form, status=outcome.status, message=outcome.message, chapter=chapter, full=full
        )
        return outcome.mark(page)
    if is_htmx(request):
        return _section(request, work, notice=outcome.message, show=comment)
    if comment.status == Comment.Status.PENDING:
        return go_back(request, _comments_url(work, chapter, full), outcome.message)
    return go_back(request, comment_url(comment, request.user), outcome.message)


@require_http_methods(["GET", "POST"])
def comment_reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    parent, work = _visible_comment(request, comment_id)
    refusal = comment_refusal(request.user, work, parent)
    auto_id = f"reply-{parent.pk}-%s"
    if request.method == "GET":
        form = CommentForm(user=request.user, auto_id=auto_id)
        if is_htmx(request):
            context = {"work": work, "parent": parent, "form": form, "refusal": refusal}
            return render(request, "social/_reply_form.html", context)
        return _form_page(request, work, None if refusal else form, parent=parent, message=refusal or "")
    form = CommentForm(request.POST, user=request.user, auto_id=auto_id)
    outcome = _post(request, work, form, chapter=None, parent=parent)
    comment = outcome.comment
    if comment is None:
        if is_htmx(request):
            context = {"work": work, "parent": parent, "form": form, "message": outcome.message}
            response = render(request, "social/_reply_form.html", context, status=outcome.status)
            return outcome.mark(reswap(retarget(response, f"#reply-{parent.pk}"), "innerHTML"))
        page = _form_page(request, work, form, status=outcome.status, message=outcome.message, parent=parent)
        return outcome.mark(page)
    if is_htmx(request):
        return _section(request, work, notice=outcome.message, show=comment)
    shown = parent if comment.status == Comment.Status.PENDING else comment
    return go_back(request, comment_url(shown, request.user), outcome.message)


def comment_detail(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment's address: redirects to the page that shows it (htmx: the comments section)."""
    comment, work = _visible_comment(request, comment_id)
    if is_htmx(request):
        return _section(request, work, show=comment)
    return redirect(comment_url(comment, request.user))


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _visible_comment(request, comment_id)
    refusal = edit_comment_refusal(request.user, comment)
    if refusal:
        return refusal_page(
            request, refusal, back_url=comment_url(comment, request.user), back_label="Back to the comment"
        )
    auto_id = f"edit-{comment.pk}-%s"
    if request.method == "GET":
        form = CommentEditForm(initial={"body": comment.body}, auto_id=auto_id)
        if is_htmx(request):
            return render(request, "social/_edit_form.html", {"comment": comment, "form": form})
        return _form_page(request, work, form, editing=comment)
    form = CommentEditForm(request.POST, auto_id=auto_id)
    message, status = "", 400
    if form.is_valid():
        try:
            edit_comment(request.user, comment, form.cleaned_data["body"])
        except CommentRefused as refused:
            message = refused.message
        else:
            if is_htmx(request):
                return _section(request, work, notice="Comment updated.", show=comment)
            return go_back(request, comment_url(comment, request.user), "Comment updated.")
    if is_htmx(request):
        context = {"comment": comment, "form": form, "message": message}
        response = render(request, "social/_edit_form.html", context, status=status)
        return reswap(retarget(response, f"#comment-{comment.pk}-body"), "innerHTML")
    return _form_page(request, work, form, status=status, message=message, editing=comment)


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _visible_comment(request, comment_id)
    back = comment_url(comment, request.user)
    if not can_delete_comment(request.user, comment):
        return refusal_page(request, "You can't delete this comment.", back_url=back, back_label="Back")
    if request.method == "GET":
        return render(
            request, "social/comment_delete.html", {"comment": comment, "work": work, "back_url": back}
        )
    after = _comments_url(work, comment.chapter, comment.chapter is None)
    delete_comment(request.user, comment)
    if is_htmx(request):
        return _section(request, work, notice="Comment deleted.")
    return go_back(request, after, "Comment deleted.")


# --- moderation ----------------------------------------------------------------------------------


def _moderated_work(request: HttpRequest, work_id: int) -> Work:
    work = viewable_work(request, work_id)
    if not can_moderate_comments(request.user, work):
        raise Http404("No such page.")  # the page exists only for the work's creators
    return work


@require_POST
def comment_freeze(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _visible_comment(request, comment_id)
    freezing = request.POST.get("action", "freeze") != "unfreeze"
    try:
        (freeze_thread if freezing else unfreeze_thread)(request.user, comment)
    except CommentRefused as refused:
        return refusal_page(
            request, refused.message, back_url=comment_url(comment, request.user), back_label="Back"
        )
    notice = "Thread frozen: no new replies." if freezing else "Thread unfrozen: replies are open again."
    if is_htmx(request):
        return _section(request, work, notice=notice, show=comment)
    return go_back(request, comment_url(comment, request.user), notice)


def comment_queue(request: HttpRequest, work_id: int) -> HttpResponse:
    """The moderation queue: comments waiting for a creator's approval, oldest first."""
    work = _moderated_work(request, work_id)
    pending = Comment.objects.filter(work=work).pending().thread_order()
    page, pagination = paginate(request, pending)
    settings = CommentSettings.for_work(work)
    context = {"work": work, "page": page, "pagination": pagination, "settings": settings}
    return render(request, "social/comment_queue.html", context)


@require_POST
def comment_moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("work"), pk=comment_id)
    work = viewable_work(request, comment.work_id)
    back = reverse("social:comment_queue", args=[work.pk])
    approve = request.POST.get("action") == "approve"
    try:
        moderate_comment(request.user, comment, approve=approve)
    except CommentRefused as refused:
        return refusal_page(request, refused.message)
    return go_back(request, back, "Comment approved." if approve else "Comment rejected as spam.")


@require_http_methods(["GET", "POST"])
def comment_settings(request: HttpRequest, work_id: int) -> HttpResponse:
    """Who may comment on the work, and whether comments wait for approval."""
    work = _moderated_work(request, work_id)
    settings = CommentSettings.for_work(work)
    form = CommentSettingsForm.for_settings(settings, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            update_comment_settings(request.user, work, **form.cleaned_data)
        except CommentRefused as refused:
            form.add_error(None, refused.message)
        else:
            return go_back(request, reverse("works:detail", args=[work.pk]), "Comment settings saved.")
    status = 400 if form.errors else 200
    return render(request, "social/comment_settings.html", {"work": work, "form": form}, status=status)
