"""Who may do what in a gift exchange (kept here until it moves to ``fanfold.core.permissions``)."""

from __future__ import annotations

from fanfold.exchanges.models import Assignment, GiftExchange


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _collection_moderator(user, exchange: GiftExchange) -> bool:
    try:  # the collections app's own rule (owners, moderators, staff)
        from fanfold.challenges.services import is_collection_moderator
    except ImportError:  # pragma: no cover - older collections app
        return False
    return is_collection_moderator(user, exchange.collection)


def can_start_exchange(user, collection) -> bool:
    """Making a collection a gift exchange: its moderators (and staff)."""
    if not _active(user):
        return False
    from fanfold.challenges.services import is_collection_moderator

    return user.is_staff or is_collection_moderator(user, collection)


def can_moderate_exchange(user, exchange: GiftExchange) -> bool:
    """Staff, the collection's owners and moderators, and the exchange's own moderators."""
    if not _active(user):
        return False
    if user.is_staff or exchange.created_by_id == user.pk:
        return True
    if exchange.moderators.filter(pk=user.pk).exists():
        return True
    return _collection_moderator(user, exchange)


def can_see_assignment(user, assignment: Assignment) -> bool:
    """The giver (or pinch hitter) sees their assignment; moderators see every one. Receivers do not
    see who writes for them."""
    if not _active(user):
        return False
    return assignment.giver_user_id == user.pk or can_moderate_exchange(user, assignment.exchange)


def signup_refusal(user, exchange: GiftExchange) -> str | None:
    if not _active(user):
        return "Log in to sign up."
    if not exchange.signups_open:
        return "Sign-ups for this exchange are closed."
    return None
