"""Writes to gift exchanges, shared by the HTML views, the API and the command line.

Each public function is one unit of work (one transaction) and raises ``ExchangeError`` with a
message for the person who asked. The matching itself is ``fanfold.exchanges.matching`` (pure).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.challenges.models import Collection
from fanfold.core.permissions import creator_user_ids, is_creator
from fanfold.exchanges import matching
from fanfold.exchanges.models import (
    EXCHANGE_TAG_TYPES,
    MAX_PROMPTS,
    Assignment,
    GiftExchange,
    Prompt,
    PromptTag,
    Signup,
    TypeSetting,
)
from fanfold.exchanges.permissions import can_moderate_exchange, can_start_exchange, signup_refusal
from fanfold.tags.models import Tag
from fanfold.works.models import Gift, Work

logger = logging.getLogger(__name__)

# Tag merges (synonyms) do not change the cache key; they show within this time.
UNMATCHABLE_CACHE_SECONDS = 600


class ExchangeError(Exception):
    """A refused or invalid change; the message is meant for the person who asked."""


def _require_moderator(user, exchange: GiftExchange) -> None:
    if not can_moderate_exchange(user, exchange):
        raise ExchangeError("Only the exchange's moderators can do that.")


# ---- setting up an exchange ---------------------------------------------------------------------------


@dataclass
class TypeRules:
    """The moderators' rules for one tag type (see ``TypeSetting``)."""

    tag_type: str
    request_required: int = 0
    request_allowed: int = 1
    request_any: bool = False
    offer_required: int = 0
    offer_allowed: int = 1
    offer_any: bool = False
    match_required: int = 0
    match_optional: bool = False


@dataclass
class ExchangeSettings:
    requests_min: int = 1
    requests_max: int = 3
    offers_min: int = 1
    offers_max: int = 3
    instructions: str = ""
    assignments_due_at: object = None
    types: list[TypeRules] = field(default_factory=list)


def _check_settings(settings: ExchangeSettings) -> None:
    for label, low, high in (
        ("requests", settings.requests_min, settings.requests_max),
        ("offers", settings.offers_min, settings.offers_max),
    ):
        if not 1 <= low <= high <= MAX_PROMPTS:
            raise ExchangeError(f"The number of {label} must be between 1 and {MAX_PROMPTS}, minimum first.")
    seen = set()
    for rules in settings.types:
        if rules.tag_type not in EXCHANGE_TAG_TYPES:
            raise ExchangeError(f"A gift exchange cannot ask for tags of type {rules.tag_type!r}.")
        if rules.tag_type in seen:
            raise ExchangeError(f"The rules for {rules.tag_type} are given twice.")
        seen.add(rules.tag_type)
        for side in ("request", "offer"):
            required, allowed = getattr(rules, f"{side}_required"), getattr(rules, f"{side}_allowed")
            if required > allowed:
                raise ExchangeError(f"{rules.tag_type}: a {side} cannot require more tags than it may name.")
            if allowed > 75:  # AO3's limit on the tags of a work
                raise ExchangeError(f"{rules.tag_type}: a {side} may name at most 75 tags.")
        if rules.match_required > rules.request_allowed and not rules.match_optional:
            raise ExchangeError(
                f"{rules.tag_type}: matching cannot need more shared tags than a request may name."
            )


def _apply_settings(exchange: GiftExchange, settings: ExchangeSettings) -> None:
    exchange.requests_min, exchange.requests_max = settings.requests_min, settings.requests_max
    exchange.offers_min, exchange.offers_max = settings.offers_min, settings.offers_max
    exchange.instructions = settings.instructions
    exchange.assignments_due_at = settings.assignments_due_at  # type: ignore[assignment]
    exchange.save()
    exchange.type_settings.exclude(tag_type__in=[t.tag_type for t in settings.types]).delete()
    for rules in settings.types:
        values = {k: v for k, v in vars(rules).items() if k != "tag_type"}
        TypeSetting.objects.update_or_create(exchange=exchange, tag_type=rules.tag_type, defaults=values)


def create_exchange(user, collection: Collection, settings: ExchangeSettings) -> GiftExchange:
    """Make a collection a gift exchange (its moderators, or staff), with sign-ups open."""
    if not can_start_exchange(user, collection):
        raise ExchangeError("Only the collection's moderators can run a gift exchange in it.")
    _check_settings(settings)
    with transaction.atomic():
        if GiftExchange.objects.filter(collection=collection).exists():
            raise ExchangeError(f"{collection.title} is a gift exchange already.")
        exchange = GiftExchange(collection=collection, created_by=user)
        _apply_settings(exchange, settings)
        exchange.moderators.add(user)
    return exchange


def update_exchange(user, exchange: GiftExchange, settings: ExchangeSettings) -> GiftExchange:
    """Change the rules. Sign-up rules apply to new and edited sign-ups; matching rules to the next
    generation of assignments, so changing them after assignments were sent is refused."""
    _require_moderator(user, exchange)
    _check_settings(settings)
    if exchange.state in (GiftExchange.State.SENT, GiftExchange.State.REVEALED):
        raise ExchangeError("The assignments are sent: the rules can no longer change.")
    with transaction.atomic():
        _apply_settings(exchange, settings)
    return exchange


# ---- sign-ups -----------------------------------------------------------------------------------------


@dataclass
class PromptInput:
    """One request or offer as the form (or the API) gives it: tags by type, optional tags, "any"."""

    tags: dict[str, list[Tag]] = field(default_factory=dict)
    optional: dict[str, list[Tag]] = field(default_factory=dict)
    any: set[str] = field(default_factory=set)
    description: str = ""


def prompt_errors(exchange: GiftExchange, kind: str, number: int, prompt: PromptInput) -> list[str]:
    """What is wrong with one request or offer under the exchange's rules (empty: nothing)."""
    errors: list[str] = []
    label = f"{kind.capitalize()} {number}"
    settings = {s.tag_type: s for s in exchange.type_settings.all()}
    for tag_type in set(prompt.tags) | set(prompt.optional) | prompt.any:
        if tag_type not in settings:
            errors.append(f"{label}: this exchange does not ask for {tag_type} tags.")
    for tag_type, setting in settings.items():
        name = setting.get_tag_type_display().lower()
        tags = prompt.tags.get(tag_type, [])
        for tag in tags + prompt.optional.get(tag_type, []):
            if tag.type != tag_type:
                errors.append(f"{label}: {tag.name} is not a {name} tag.")
        required = getattr(setting, f"{kind}_required")
        allowed = getattr(setting, f"{kind}_allowed")
        any_allowed = getattr(setting, f"{kind}_any")
        if tag_type in prompt.any:
            if not any_allowed:
                errors.append(f'{label}: "any" is not allowed for {name}.')
            continue
        if len(tags) < required:
            errors.append(f"{label}: name at least {required} {name} tag{'s' if required != 1 else ''}.")
        if len(tags) > allowed:
            errors.append(f"{label}: name at most {allowed} {name} tag{'s' if allowed != 1 else ''}.")
    if len(prompt.description) > 5000:
        errors.append(f"{label}: the description is longer than 5,000 characters.")
    return errors


def signup_errors(
    exchange: GiftExchange, requests: list[PromptInput], offers: list[PromptInput]
) -> list[str]:
    errors: list[str] = []
    for kind, prompts, low, high in (
        ("request", requests, exchange.requests_min, exchange.requests_max),
        ("offer", offers, exchange.offers_min, exchange.offers_max),
    ):
        if not low <= len(prompts) <= high:
            errors.append(f"Give between {low} and {high} {kind}s (you gave {len(prompts)}).")
        for number, prompt in enumerate(prompts, 1):
            errors.extend(prompt_errors(exchange, kind, number, prompt))
    return errors


def _write_prompts(signup: Signup, kind: str, prompts: list[PromptInput]) -> None:
    for position, data in enumerate(prompts):
        prompt = Prompt.objects.create(
            signup=signup,
            kind=kind,
            position=position,
            any_types=" ".join(sorted(data.any)),
            description=data.description.strip(),
        )
        rows = {}
        for optional, groups in ((True, data.optional), (False, data.tags)):  # a tag named twice is required
            for tag_type, tags in groups.items():
                if tag_type in data.any:
                    continue
                for tag in tags:
                    rows[tag.pk] = PromptTag(prompt=prompt, tag=tag, optional=optional)
        PromptTag.objects.bulk_create(rows.values())


def save_signup(
    user, exchange: GiftExchange, pseud: Pseud, requests: list[PromptInput], offers: list[PromptInput]
) -> Signup:
    """Create or replace the pseud's sign-up (while sign-ups are open)."""
    refusal = signup_refusal(user, exchange)
    if refusal:
        raise ExchangeError(refusal)
    if pseud.user_id != user.pk:
        raise ExchangeError("You can only sign up with one of your own pseuds.")
    errors = signup_errors(exchange, requests, offers)
    if errors:
        raise ExchangeError(" ".join(errors))
    with transaction.atomic():
        signup, _created = Signup.objects.select_for_update().get_or_create(
            exchange=exchange, pseud=pseud, defaults={"user": user}
        )
        signup.prompts.all().delete()
        _write_prompts(signup, Prompt.Kind.REQUEST, requests)
        _write_prompts(signup, Prompt.Kind.OFFER, offers)
        signup.save(update_fields=["updated_at"])
    return signup


def delete_signup(user, signup: Signup) -> None:
    exchange = signup.exchange
    if signup.user_id != user.pk and not can_moderate_exchange(user, exchange):
        raise ExchangeError("That is not your sign-up.")
    if not exchange.signups_open and not can_moderate_exchange(user, exchange):
        raise ExchangeError("Sign-ups are closed: ask a moderator to take you out of the exchange.")
    with transaction.atomic():
        signup.delete()


def set_signups_open(user, exchange: GiftExchange, *, open: bool) -> GiftExchange:
    """Close sign-ups (and reopen them, until assignments are sent)."""
    _require_moderator(user, exchange)
    allowed_from = (
        (GiftExchange.State.CLOSED, GiftExchange.State.MATCHED) if open else (GiftExchange.State.OPEN,)
    )
    if exchange.state not in allowed_from:
        raise ExchangeError(f"Not possible now: {exchange.get_state_display().lower()}.")
    with transaction.atomic():
        if open:  # drafts would be out of date with new sign-ups
            exchange.assignments.filter(status=Assignment.Status.DRAFT).delete()
        exchange.state = GiftExchange.State.OPEN if open else GiftExchange.State.CLOSED
        exchange.save(update_fields=["state"])
    return exchange


# ---- matching -----------------------------------------------------------------------------------------


def exchange_rules(exchange: GiftExchange) -> dict[str, matching.TypeRule]:
    return {
        s.tag_type: matching.TypeRule(s.match_required, s.match_optional)
        for s in exchange.type_settings.all()
        if s.match_required > 0
    }


def load_participants(exchange: GiftExchange) -> tuple[list[int], list[matching.Participant]]:
    """Sign-up ids and the matching input, in three flat queries (no model instances: thousands of
    sign-ups load in well under a second). Synonyms count as their canonical tag."""
    signups = list(exchange.signups.order_by("pk").values_list("pk", "user_id"))
    tag_rows = PromptTag.objects.filter(prompt__signup__exchange=exchange).values_list(
        "prompt_id", "tag__type", "optional", Coalesce("tag__merger_id", "tag_id")
    )
    grouped: dict[int, tuple[dict[str, set[int]], dict[str, set[int]]]] = {}
    for prompt_id, tag_type, is_optional, tag_id in tag_rows:
        entry = grouped.get(prompt_id)
        if entry is None:
            entry = grouped[prompt_id] = ({}, {})
        entry[1 if is_optional else 0].setdefault(tag_type, set()).add(tag_id)
    no_tags: tuple[dict[str, set[int]], dict[str, set[int]]] = ({}, {})
    prompts: dict[tuple[int, str], list[matching.Prompt]] = defaultdict(list)
    rows = Prompt.objects.filter(signup__exchange=exchange).order_by("signup_id", "kind", "position")
    for prompt_id, signup_id, kind, any_types in rows.values_list("pk", "signup_id", "kind", "any_types"):
        tags, optional = grouped.get(prompt_id, no_tags)
        prompts[(signup_id, kind)].append(
            matching.Prompt(tags=tags, any=frozenset(any_types.split()), optional=optional)
        )
    participants = [
        matching.Participant(
            account=user_id,
            requests=prompts[(pk, Prompt.Kind.REQUEST)],
            offers=prompts[(pk, Prompt.Kind.OFFER)],
        )
        for pk, user_id in signups
    ]
    return [pk for pk, _ in signups], participants


@dataclass
class Unmatchable:
    """Sign-ups nobody can give to, and sign-ups who can give to nobody, right now."""

    no_giver: list[Signup]
    no_receiver: list[Signup]
    signups: int
    possible_pairs: int
    seconds: float


def _unmatchable_key(exchange: GiftExchange) -> str:
    """Changes whenever a sign-up is added, edited or deleted, or the matching rules change."""
    state = exchange.signups.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    rules = sorted((t, r.required, r.include_optional) for t, r in exchange_rules(exchange).items())
    fingerprint = f"{state['n']}:{state['top']}:{state['last']}:{rules}"
    return f"exchanges:unmatchable:{exchange.pk}:{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}"


def unmatchable(exchange: GiftExchange) -> Unmatchable:
    """The live list the moderators watch while sign-ups are open. Computed from scratch whenever
    the sign-ups or rules changed since the last look (a second or two per thousands of people), else
    taken from the cache, so reloading the page is cheap and never stale."""
    key = _unmatchable_key(exchange)
    cached = cache.get(key)
    if cached is None:
        start = time.perf_counter()
        signup_ids, participants = load_participants(exchange)
        graph = matching.build_graph(participants, exchange_rules(exchange))
        cached = {
            "no_giver": [signup_ids[i] for i in matching.no_giver(graph)],
            "no_receiver": [signup_ids[i] for i in matching.no_receiver(graph)],
            "signups": len(signup_ids),
            "possible_pairs": int(graph.nnz),
            "seconds": time.perf_counter() - start,
        }
        cache.set(key, cached, UNMATCHABLE_CACHE_SECONDS)
    listed = Signup.objects.select_related("pseud", "user").in_bulk(
        cached["no_giver"] + cached["no_receiver"]
    )
    return Unmatchable(
        no_giver=[listed[pk] for pk in cached["no_giver"] if pk in listed],
        no_receiver=[listed[pk] for pk in cached["no_receiver"] if pk in listed],
        signups=cached["signups"],
        possible_pairs=cached["possible_pairs"],
        seconds=cached["seconds"],
    )


@dataclass
class Generation:
    matched: int
    unmatched: int
    structural_unmatched: int
    seconds: float


def generate_assignments(user, exchange: GiftExchange) -> Generation:
    """Replace the draft assignments with a new optimal matching (sign-ups must be closed)."""
    _require_moderator(user, exchange)
    if exchange.state not in (GiftExchange.State.CLOSED, GiftExchange.State.MATCHED):
        raise ExchangeError("Close sign-ups first; assignments cannot change once they are sent.")
    with transaction.atomic():
        # The lock makes two moderators' clicks run one after the other, not interleaved.
        locked = GiftExchange.objects.select_for_update().get(pk=exchange.pk)
        if locked.state not in (GiftExchange.State.CLOSED, GiftExchange.State.MATCHED):
            raise ExchangeError("The assignments were sent in the meantime.")
        signups, participants = load_participants(exchange)  # sign-up ids
        if len(signups) < 2:
            raise ExchangeError("An exchange needs at least two sign-ups.")
        result = matching.match(participants, exchange_rules(exchange))
        graph, assignment = result.graph, result.assignment
        exchange.assignments.filter(status=Assignment.Status.DRAFT).delete()
        rows = [
            Assignment(exchange=exchange, giver_id=signups[g], receiver_id=signups[r], quality=quality)
            for (g, r), quality in zip(assignment.pairs, assignment.qualities, strict=True)
        ]
        rows += [
            Assignment(exchange=exchange, receiver_id=signups[r]) for r in assignment.unmatched_receivers
        ]
        Assignment.objects.bulk_create(rows)
        exchange.state = GiftExchange.State.MATCHED
        exchange.matched_at = timezone.now()
        exchange.save(update_fields=["state", "matched_at"])
    return Generation(
        matched=len(assignment.pairs),
        unmatched=assignment.unmatched,
        structural_unmatched=len(matching.no_giver(graph)),
        seconds=result.graph_seconds + result.solve_seconds,
    )


def _enqueue_notifications(assignment_ids: list[int]) -> None:
    from fanfold.exchanges.tasks import send_assignment_notifications

    if assignment_ids:
        transaction.on_commit(lambda: send_assignment_notifications.enqueue(assignment_ids))


def send_assignments(user, exchange: GiftExchange) -> int:
    """Send every draft: each giver gets an email and a notification linking to their assignment.
    Unmatched receivers stay listed for pinch hits. Returns the number of assignments sent."""
    _require_moderator(user, exchange)
    if exchange.state != GiftExchange.State.MATCHED:
        raise ExchangeError("Generate the assignments first (and only once sign-ups are closed).")
    now = timezone.now()
    with transaction.atomic():
        drafts = exchange.assignments.select_for_update().filter(status=Assignment.Status.DRAFT)
        ids = [a.pk for a in drafts if a.giver_id or a.pinch_hitter_id]
        drafts.update(status=Assignment.Status.SENT, sent_at=now)
        exchange.state = GiftExchange.State.SENT
        exchange.sent_at = now
        exchange.save(update_fields=["state", "sent_at"])
        _enqueue_notifications(ids)
    return len(ids)


def default_assignment(user, assignment: Assignment) -> Assignment:
    """The giver (or a moderator for them) gives up. The receiver gets a fresh assignment without a
    giver, listed for a pinch hitter. Returns that new assignment."""
    exchange = assignment.exchange
    if assignment.giver_user_id != user.pk and not can_moderate_exchange(user, exchange):
        raise ExchangeError("That is not your assignment.")
    if assignment.status != Assignment.Status.SENT or assignment.giver_user_id is None:
        raise ExchangeError("Only a sent assignment with a giver can be defaulted.")
    with transaction.atomic():
        assignment.status = Assignment.Status.DEFAULTED
        assignment.defaulted_at = timezone.now()
        assignment.save(update_fields=["status", "defaulted_at"])
        return Assignment.objects.create(
            exchange=exchange,
            receiver=assignment.receiver,
            status=Assignment.Status.SENT,
            sent_at=timezone.now(),
        )


def pinch_hit(moderator, assignment: Assignment, volunteer) -> Assignment:
    """A moderator gives a receiver without a giver to a volunteer (notified once assignments are sent)."""
    exchange = assignment.exchange
    _require_moderator(moderator, exchange)
    if not assignment.needs_pinch_hit:
        raise ExchangeError("That assignment has a giver already.")
    if volunteer is None or not volunteer.is_active:
        raise ExchangeError("Name an active account as the pinch hitter.")
    if volunteer.pk == assignment.receiver.user_id:
        raise ExchangeError("Nobody can write their own gift.")
    with transaction.atomic():
        assignment.pinch_hitter = volunteer
        fields = ["pinch_hitter"]
        if exchange.state in (GiftExchange.State.SENT, GiftExchange.State.REVEALED):
            assignment.status, assignment.sent_at = Assignment.Status.SENT, timezone.now()
            fields += ["status", "sent_at"]
            _enqueue_notifications([assignment.pk])
        assignment.save(update_fields=fields)
    return assignment


def fulfil_assignment(user, assignment: Assignment, work: Work) -> Assignment:
    """The giver posts their gift: the work joins the collection as a gift to the receiver."""
    from fanfold.challenges.services import CollectionError, add_work_to_collection

    if assignment.giver_user_id != user.pk:
        raise ExchangeError("That is not your assignment.")
    if assignment.status != Assignment.Status.SENT:
        raise ExchangeError("Only a sent assignment can be fulfilled.")
    if not is_creator(user, work):
        raise ExchangeError("You can only give a work you created.")
    if work.draft:
        raise ExchangeError("Post the work first: a draft cannot be a gift.")
    receiver = assignment.receiver
    with transaction.atomic():
        try:
            add_work_to_collection(user, work, assignment.exchange.collection, approved=True)
        except CollectionError as error:
            raise ExchangeError(str(error)) from error
        Gift.objects.get_or_create(
            work=work, recipient_name=receiver.pseud.name, defaults={"recipient": receiver.user}
        )
        assignment.work = work
        assignment.status = Assignment.Status.FULFILLED
        assignment.fulfilled_at = timezone.now()
        assignment.save(update_fields=["work", "status", "fulfilled_at"])
    return assignment


def record_posted_gifts(work: Work) -> int:
    """Mark fulfilled the sent assignments a posted work answers: the work is in the exchange's
    collection (consented, not rejected), one of its creators is the giver (or pinch hitter), and it is
    a gift to the receiver's account. For the posting flow to call after a work is posted or added to
    a collection; safe to call again. Returns the number of assignments fulfilled."""
    from fanfold.challenges.models import CollectionItem

    if work.draft:
        return 0
    creators = creator_user_ids(work)
    recipients = set(work.gifts.exclude(recipient__isnull=True).values_list("recipient_id", flat=True))
    if not creators or not recipients:
        return 0
    collections = CollectionItem.objects.consented().filter(work=work).values("collection_id")
    # One UPDATE: atomic by itself, and "status=sent" in it makes a second call a no-op.
    answered = Assignment.objects.filter(
        status=Assignment.Status.SENT,
        exchange__collection_id__in=collections,
        receiver__user_id__in=recipients,
    ).filter(Q(pinch_hitter_id__in=creators) | Q(pinch_hitter__isnull=True, giver__user_id__in=creators))
    return answered.update(status=Assignment.Status.FULFILLED, work=work, fulfilled_at=timezone.now())


def record_all_posted_gifts(user, exchange: GiftExchange) -> int:
    """A moderator's sweep: every work in the collection checked with ``record_posted_gifts``."""
    _require_moderator(user, exchange)
    works = Work.objects.filter(
        collection_items__collection=exchange.collection, gifts__isnull=False
    ).distinct()
    return sum(record_posted_gifts(work) for work in works)


def reveal_exchange(user, exchange: GiftExchange) -> GiftExchange:
    """Reveal the gifts (and their creators) in the collection."""
    from fanfold.challenges.services import reveal_collection

    _require_moderator(user, exchange)
    if exchange.state != GiftExchange.State.SENT:
        raise ExchangeError("Gifts can be revealed once the assignments are sent.")
    with transaction.atomic():
        exchange.state = GiftExchange.State.REVEALED
        exchange.revealed_at = timezone.now()
        exchange.save(update_fields=["state", "revealed_at"])
        reveal_collection(exchange.collection, now=exchange.revealed_at)
    return exchange


# ---- reads ---------------------------------------------------------------------------------------------


def signups_with_prompts(exchange: GiftExchange):
    """Sign-ups with their prompts and tags in four queries, for the summary and assignment pages."""
    tags = Prefetch("prompt_tags", queryset=PromptTag.objects.select_related("tag"))
    return exchange.signups.select_related("pseud", "user").prefetch_related(
        Prefetch("prompts", queryset=Prompt.objects.prefetch_related(tags))
    )
