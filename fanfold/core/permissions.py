"""Who may see which work. Every view, feed and download asks here; nothing else decides.

The rule, for now:
- staff see every work;
- everyone else sees works that are neither drafts nor hidden by an admin;
- restricted works are for logged-in users only.

Hook for later: the creators of a draft (or of a hidden work) will see it too. Add that in
``_owner_q`` / ``_is_owner`` and both functions below follow.
"""

from __future__ import annotations

from django.db.models import Q

from fanfold.works.models import Work, WorkQuerySet


def _is_staff(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def _is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def _owner_q(user) -> Q | None:
    """Works the user is a creator of, which they may see even when others may not. Not yet."""
    return None


def _is_owner(user, work: Work) -> bool:
    """Python twin of ``_owner_q``. Not yet."""
    return False


def visible_works(user) -> WorkQuerySet:
    """The works this user may see (an anonymous user, a reader, or staff)."""
    works = Work.objects.all()
    if _is_staff(user):
        return works
    public = Q(draft=False, hidden_by_admin=False)
    if not _is_authenticated(user):
        public &= Q(restricted=False)
    owner = _owner_q(user)
    return works.filter(public | owner if owner is not None else public)


def can_view_work(user, work: Work) -> bool:
    """The same rule as ``visible_works``, for a work already in hand (no query)."""
    if _is_staff(user) or _is_owner(user, work):
        return True
    if work.draft or work.hidden_by_admin:
        return False
    return not work.restricted or _is_authenticated(user)
