"""The wranglers' pages: their fandoms, the bins of unwrangled tags, and a tag's edit page.

Views only read input and show results: every change goes through fanfold.tags.wrangling, and who
may wrangle what is decided by fanfold.core.permissions (wrangle_refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fanfold.api.tags import clear_index_cache, tag_index
from fanfold.core.permissions import wrangle_refusal
from fanfold.core.text import normalize_key
from fanfold.tags import wrangling
from fanfold.tags.models import FIXED_TYPES, Tag, TagType, WranglerAssignment
from fanfold.tags.resolver import DEFAULT_SUGGESTION_THRESHOLD
from fanfold.tags.views import tag_by_name
from fanfold.tags.wrangling_forms import BIN_ACTIONS, BIN_TYPES, TARGET_KIND, MassWrangleForm, TagCommentForm
from fanfold.works.models import WorkTag

BIN_PAGE_SIZE = 50


# --- who may come in ---


def _refused(request: HttpRequest, tag: Tag | None = None) -> HttpResponse | None:
    """Guests go to the login page; logged-in people who may not wrangle get a 403 saying why."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = wrangle_refusal(request.user, tag)
    if refusal:
        return render(request, "tags/wrangling/refused.html", {"message": refusal}, status=403)
    return None


# --- reads ---


def unwrangled_tags() -> QuerySet[Tag]:
    """Tags still waiting for a wrangler: neither canonical, a synonym nor set aside."""
    return Tag.objects.filter(canonical=False, merger__isnull=True, unwrangleable=False).exclude(
        type__in=FIXED_TYPES
    )


def _fandom_tag_ids(fandom: Tag) -> list[int]:
    return [fandom.pk, *fandom.synonyms.values_list("pk", flat=True)]


def bin_tags(fandom: Tag | None, tag_type: str = "") -> QuerySet[Tag]:
    """The bin: unwrangled tags used on works of the fandom (or of no wrangled fandom), each with
    the number of works using it, counted in the same query."""
    fandom_ids = _fandom_tag_ids(fandom) if fandom is not None else []
    if fandom is not None:
        works = WorkTag.objects.filter(tag_id__in=fandom_ids).values("work_id")
    else:
        wrangled_fandom = WorkTag.objects.filter(
            work_id=OuterRef("work_id"), tag__type=TagType.FANDOM
        ).filter(Q(tag__canonical=True) | Q(tag__merger__isnull=False))
        works = (
            WorkTag.objects.annotate(has_fandom=Exists(wrangled_fandom))
            .filter(has_fandom=False)
            .values("work_id")
        )
    tags = unwrangled_tags().filter(work_tags__work_id__in=works)
    if fandom is not None:
        tags = tags.exclude(pk__in=fandom_ids)
    if tag_type:
        tags = tags.filter(type=tag_type)
    return tags.annotate(works_count=Count("work_tags__work", distinct=True)).order_by(
        "-works_count", "name", "pk"
    )


def _wrangler_fandoms(user) -> list[Tag]:
    if user.is_staff:
        used = unwrangled_tags().filter(work_tags__work__work_tags__tag__type=TagType.FANDOM)
        fandom_ids = set(used.values_list("work_tags__work__work_tags__tag_id", flat=True))
        fandoms = {t.filter_tag for t in Tag.objects.filter(pk__in=fandom_ids).select_related("merger")}
        return sorted((f for f in fandoms if f.canonical), key=lambda f: f.name.casefold())
    return [a.fandom for a in WranglerAssignment.objects.filter(user=user).select_related("fandom")]


@dataclass
class Suggestion:
    tag: Tag
    confidence: float
    method: str


def suggestions_for(tags: list[Tag], fandom: Tag | None) -> dict[int, Suggestion]:
    """The resolver's suggestion per tag, kept only for an existing canonical tag, confident enough."""
    index = tag_index()
    fandoms = [fandom.name] if fandom is not None else []
    wanted: dict[int, tuple[str, str, float, str]] = {}
    for tag in tags:
        if tag.type == TagType.UNSORTED:
            continue
        resolved = index.resolve(tag.type, tag.name, fandoms=fandoms)
        if (
            resolved.canonical
            and resolved.confidence >= DEFAULT_SUGGESTION_THRESHOLD
            and index.is_known(tag.type, resolved.name)
        ):
            wanted[tag.pk] = (tag.type, resolved.name, resolved.confidence, resolved.method)
    keys = {(t, normalize_key(name)) for t, name, _, _ in wanted.values()}
    found = {
        (t.type, t.name_key): t
        for t in Tag.objects.filter(canonical=True, name_key__in=[k for _, k in keys])
        if (t.type, t.name_key) in keys
    }
    result = {}
    for tag_id, (tag_type, name, confidence, method) in wanted.items():
        target = found.get((tag_type, normalize_key(name)))
        if target is not None and target.pk != tag_id:
            result[tag_id] = Suggestion(target, confidence, method)
    return result


# --- the wrangler's home ---


def wrangle_home(request: HttpRequest) -> HttpResponse:
    refused = _refused(request)
    if refused:
        return refused
    fandoms = [(f, bin_tags(f).count()) for f in _wrangler_fandoms(request.user)]
    context = {"fandoms": fandoms, "no_fandom_count": bin_tags(None).count()}
    return render(request, "tags/wrangling/home.html", context)


# --- the bin ---


def _bin_url(fandom: Tag | None, tag_type: str, page: str = "") -> str:
    query = {
        k: v for k, v in (("fandom", fandom.name if fandom else ""), ("type", tag_type), ("page", page)) if v
    }
    return reverse("tags:wrangle_bin") + (f"?{urlencode(query)}" if query else "")


def _bin_fandom(request: HttpRequest) -> Tag | None:
    name = (request.GET.get("fandom") or "").strip()
    if not name:
        return None
    tag = (
        Tag.objects.filter(type=TagType.FANDOM, name_key=normalize_key(name)).select_related("merger").first()
    )
    if tag is None:
        raise Http404("No such fandom.")
    return tag.filter_tag


def _target_tag(name: str, kind: str, tag_type: str) -> Tag:
    """The tag a wrangler typed as a mass action's target (a synonym stands for its canonical tag)."""
    candidates = Tag.objects.filter(name_key=normalize_key(name)).select_related("merger")
    if kind == "fandom":
        candidates = candidates.filter(type=TagType.FANDOM)
    elif kind == "character":
        candidates = candidates.filter(type=TagType.CHARACTER)
    elif tag_type:
        candidates = candidates.filter(type=tag_type)
    tag = min(candidates, key=lambda t: (not t.canonical, t.merger_id is None), default=None)
    if tag is None:
        what = kind if kind in ("fandom", "character") else "tag"
        raise wrangling.WranglingError(f"There is no {what} named {name!r}.")
    return tag.filter_tag


def _report(request: HttpRequest, result: wrangling.MassResult, verb: str) -> None:
    if result.done:
        count = len(result.done)
        messages.success(request, f"{verb} {count} tag{'s' if count != 1 else ''}.")
    for name, message in result.failures:
        messages.error(request, f"{name}: {message}")


def _checked_ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("tags") if v.isdigit()]


def _apply_suggestions(request: HttpRequest, tag_ids: list[int], fandom: Tag | None) -> None:
    tags = list(unwrangled_tags().filter(pk__in=tag_ids))
    suggestions = suggestions_for(tags, fandom)
    if not suggestions:
        raise wrangling.WranglingError("None of those tags has a suggestion to apply.")
    result = wrangling.MassResult()
    for tag in tags:
        suggestion = suggestions.get(tag.pk)
        if suggestion is None:
            result.failures.append((tag.name, "No suggestion for this tag."))
            continue
        try:
            result.done.append(wrangling.make_synonym(request.user, tag, suggestion.tag))
        except wrangling.WranglingError as exc:
            result.failures.append((tag.name, exc.message))
    _report(request, result, "Made synonyms of")


def _mass_action(request: HttpRequest, form: MassWrangleForm, tag_ids: list[int], tag_type: str) -> None:
    action = form.cleaned_data["action"]
    kind = TARGET_KIND[action]
    target: Tag | str | None = None
    if kind == "type":
        target = form.cleaned_data["new_type"]
        if not target:
            raise wrangling.WranglingError("Choose a type for the tags.")
    elif kind:
        name = form.cleaned_data["target"].strip()
        if not name:
            raise wrangling.WranglingError("Type the name of the tag to use.")
        first = Tag.objects.filter(pk__in=tag_ids).first()
        target = _target_tag(name, kind, tag_type or (first.type if first else ""))
    result = wrangling.mass_wrangle(request.user, tag_ids, action, target)
    label = dict((v, label) for v, label, _ in BIN_ACTIONS)[action].rstrip("…")
    _report(request, result, f"{label}:")


@require_http_methods(["GET", "POST"])
def wrangle_bin(request: HttpRequest) -> HttpResponse:
    fandom = _bin_fandom(request)
    refused = _refused(request, fandom)
    if refused:
        return refused
    tag_type = request.GET.get("type", "")
    if tag_type not in BIN_TYPES:
        tag_type = ""
    form = MassWrangleForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            if "apply" in request.POST:
                _apply_suggestions(request, [int(request.POST["apply"])], fandom)
            elif "apply_all" in request.POST:
                ids = _checked_ids(request)
                if not ids:  # nothing checked: every suggestion shown on this page
                    ids = [int(v) for v in request.POST.getlist("shown") if v.isdigit()]
                _apply_suggestions(request, ids, fandom)
            elif form.is_valid():
                _mass_action(request, form, _checked_ids(request), tag_type)
            else:
                raise wrangling.WranglingError("Choose an action.")
        except (wrangling.WranglingError, ValueError) as exc:
            error = getattr(exc, "message", "That request could not be read.")
        else:
            clear_index_cache()
            return HttpResponseRedirect(_bin_url(fandom, tag_type, request.GET.get("page", "")))
    paginator = Paginator(bin_tags(fandom, tag_type), BIN_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    suggestions = suggestions_for(rows, fandom)
    context = {
        "fandom": fandom,
        "tag_type": tag_type,
        "types": [(t, TagType(t).label, _bin_url(fandom, t)) for t in BIN_TYPES],
        "all_types_url": _bin_url(fandom, ""),
        "rows": [(tag, suggestions.get(tag.pk)) for tag in rows],
        "has_suggestions": bool(suggestions),
        "page": page,
        "previous_url": _bin_url(fandom, tag_type, str(page.previous_page_number()))
        if page.has_previous()
        else "",
        "next_url": _bin_url(fandom, tag_type, str(page.next_page_number())) if page.has_next() else "",
        "form": form,
        "error": error,
        "checked": set(_checked_ids(request)),
    }
    return render(request, "tags/wrangling/bin.html", context, status=400 if error else 200)


# --- one tag ---

# The edit page's actions: (service, what the action's input names).
TAG_ACTIONS = {
    "set_type": "type",
    "make_canonical": "",
    "make_synonym": "tag",
    "unmake_synonym": "",
    "attach_to_fandom": "fandom",
    "detach_from_fandom": "id",
    "add_character": "character",
    "remove_character": "id",
    "add_meta_tag": "tag",
    "remove_meta_tag": "id",
    "mark_unwrangleable": "",
    "unmark_unwrangleable": "",
}


def _tag_action(request: HttpRequest, tag: Tag, action: str) -> str:
    """Run one action of the edit page; returns the success message."""
    kind = TAG_ACTIONS[action]
    user = request.user
    if action == "unmark_unwrangleable":
        wrangling.mark_unwrangleable(user, tag, False)
        return f"{tag.name!r} is no longer unwrangleable."
    if kind == "":
        wrangling.MASS_ACTIONS[action][0](user, tag)
        return "Saved."
    if kind == "type":
        wrangling.set_type(user, tag, request.POST.get("new_type", ""))
        return "Type changed."
    if kind == "id":
        other = Tag.objects.filter(pk=request.POST.get("other", "0") or 0).first()
        if other is None:
            raise wrangling.WranglingError("That tag no longer exists.")
    else:
        name = request.POST.get("target", "").strip()
        if not name:
            raise wrangling.WranglingError("Type the name of the tag to use.")
        other = _target_tag(name, kind, tag.type)
    wrangling.MASS_ACTIONS[action][0](user, tag, other)
    return "Saved."


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if value is None:
        return "none"
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _change_summary(details: dict) -> str:
    """What changed, as "field: before → after" for the fields that differ."""
    before, after = details.get("before") or {}, details.get("after") or {}
    parts = [
        f"{key}: {_shown(before.get(key))} → {_shown(after.get(key))}"
        for key in dict.fromkeys([*before, *after])
        if before.get(key) != after.get(key)
    ]
    if details.get("source"):
        parts.append(f"from {details['source']}")
    return "; ".join(parts)


@require_http_methods(["GET", "POST"])
def wrangle_tag(request: HttpRequest, name: str) -> HttpResponse:
    tag = tag_by_name(name)
    refused = _refused(request, tag)
    if refused:
        return refused
    comment_form = TagCommentForm()
    error, typed = "", {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "comment":
                comment_form = TagCommentForm(request.POST)
                wrangling.add_tag_comment(request.user, tag, request.POST.get("body", ""))
                message = "Comment added."
            elif action in TAG_ACTIONS:
                message = _tag_action(request, tag, action)
            else:
                raise wrangling.WranglingError("Choose an action.")
        except wrangling.WranglingError as exc:
            error = exc.message
            typed = {"action": action, "target": request.POST.get("target", "")}
        else:
            clear_index_cache()
            messages.success(request, message)
            return HttpResponseRedirect(reverse("tags:wrangle_tag", args=[tag.name]))
        tag.refresh_from_db()
    context = {
        "tag": tag,
        "types": [(t.value, t.label) for t in wrangling.WRANGLABLE_TYPES],
        "fandoms": list(tag.parents.filter(type=TagType.FANDOM).order_by("name")),
        "characters": list(tag.parents.filter(type=TagType.CHARACTER).order_by("name")),
        "meta_tags": list(tag.meta_tags.order_by("name")),
        "sub_tags": list(tag.sub_tags.order_by("name")),
        "synonyms": list(tag.synonyms.order_by("name")),
        "works_count": WorkTag.objects.filter(tag=tag).values("work_id").distinct().count(),
        "changes": [(c, _change_summary(c.details)) for c in tag.changes.select_related("user")[:100]],
        "comments": list(tag.comments.select_related("user")),
        "comment_form": comment_form,
        "error": error,
        "typed": typed,
        "can_take_fandoms": tag.type in wrangling.FANDOM_CHILD_TYPES,
    }
    return render(request, "tags/wrangling/tag.html", context, status=400 if error else 200)
