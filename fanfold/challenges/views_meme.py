"""Prompt meme pages: open prompts (filtered by tags), posting a prompt, a prompt with its claims and fills."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fanfold.challenges import meme_services as memes
from fanfold.challenges.forms import MemePromptForm, WorkChoiceForm
from fanfold.challenges.models import Claim, Collection, CollectionItem, PromptMeme
from fanfold.challenges.services import CollectionError
from fanfold.challenges.views import get_collection
from fanfold.core.permissions import can_moderate_collection, listed_works
from fanfold.core.text import normalize_key
from fanfold.works.models import Creatorship, Work


def _meme(name: str) -> tuple[Collection, PromptMeme]:
    collection = get_collection(name)
    meme = collection.meme_or_none
    if meme is None:
        raise Http404(f"{collection.title} is not a prompt meme.")
    return collection, meme


def _prompt_url(collection: Collection, prompt_id: int) -> str:
    return reverse("challenges:meme_prompt", args=[collection.name, prompt_id])


def prompts(request: HttpRequest, name: str) -> HttpResponse:
    """Open prompts by default; ``?all=1`` lists every prompt; ``?tag=`` (repeatable) filters by tag."""
    collection, meme = _meme(name)
    tags = [t for t in request.GET.getlist("tag") if t.strip()][:10]
    show_all = request.GET.get("all") == "1"
    listing = memes.meme_prompts(meme) if show_all else memes.open_prompts(meme, tags=tags)
    if show_all:
        for tag in tags:
            listing = listing.filter(tags__name_key=normalize_key(tag)).distinct()
    rows = list(listing[:200])
    context = {"collection": collection, "meme": meme, "prompts": rows, "tags": tags, "show_all": show_all}
    return render(request, "challenges/meme_prompts.html", context)


@login_required
def new_prompt(request: HttpRequest, name: str) -> HttpResponse:
    collection, meme = _meme(name)
    form = MemePromptForm(request.POST or None)
    if not meme.allow_anonymous:
        del form.fields["anonymous"]
    if request.method == "POST" and form.is_valid():
        try:
            prompt = memes.post_prompt(
                request.user,
                meme,
                form.cleaned_data["text"],
                form.tag_names(),
                anonymous=form.cleaned_data.get("anonymous", False),
            )
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your prompt was posted.")
            return redirect(_prompt_url(collection, prompt.pk))
    return render(
        request,
        "challenges/form.html",
        {"form": form, "collection": collection, "heading": f"New prompt in {collection.title}"},
    )


def prompt_detail(request: HttpRequest, name: str, prompt_id: int) -> HttpResponse:
    collection, meme = _meme(name)
    prompt = get_object_or_404(memes.meme_prompts(meme), pk=prompt_id)
    now = timezone.now()
    claims = list(
        Claim.objects.active(now).filter(prompt=prompt).select_related("user").order_by("claimed_at")
    )
    fills = [
        item.work
        for item in CollectionItem.objects.listed()
        .filter(prompt=prompt, work__in=listed_works(request.user).values("pk"))
        .select_related("work")
        .prefetch_related(
            Prefetch("work__creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
            Prefetch("work__collection_items", queryset=CollectionItem.objects.select_related("collection")),
        )
    ]
    user = request.user
    my_claim = next((c for c in claims if user.is_authenticated and c.user_id == user.pk), None)
    works = list(
        Work.objects.credited_to(user).order_by("-updated", "-id").only("id", "title", "draft")[:200]
    )
    form = WorkChoiceForm(request.POST or None, works=works)
    if request.method == "POST" and user.is_authenticated and form.is_valid():
        work = Work.objects.get(pk=form.cleaned_data["work"])
        try:
            memes.fill_prompt(user, work, prompt, now=now)
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{work.title} fills this prompt.")
            return redirect(_prompt_url(collection, prompt.pk))
    context = {
        "collection": collection,
        "meme": meme,
        "prompt": prompt,
        "claims": claims,
        "fills": fills,
        "my_claim": my_claim,
        "claim_refusal": memes.claim_refusal(user, prompt, now=now) if user.is_authenticated else None,
        "form": form,
        "has_works": bool(works),
        "show_poster": not prompt.anonymous
        or can_moderate_collection(user, collection)
        or (user.is_authenticated and prompt.poster_id == user.pk),
    }
    return render(request, "challenges/meme_prompt.html", context)


@require_POST
@login_required
def claim(request: HttpRequest, name: str, prompt_id: int) -> HttpResponse:
    collection, meme = _meme(name)
    prompt = get_object_or_404(collection.prompts, pk=prompt_id, day__isnull=True)
    try:
        memes.claim_prompt(request.user, prompt)
    except CollectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You claimed this prompt for {meme.claim_days} days.")
    return redirect(_prompt_url(collection, prompt.pk))


@require_POST
@login_required
def drop_claim(request: HttpRequest, name: str, prompt_id: int) -> HttpResponse:
    collection, _ = _meme(name)
    claim = (
        Claim.objects.active()
        .filter(prompt_id=prompt_id, prompt__collection=collection, user_id=request.user.pk or 0)
        .first()
    )
    if claim is None:
        messages.error(request, "You have no open claim on this prompt.")
    else:
        try:
            memes.drop_claim(request.user, claim)
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "You dropped your claim.")
    return redirect(_prompt_url(collection, prompt_id))
