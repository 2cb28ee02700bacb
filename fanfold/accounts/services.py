"""Writes to accounts: sign-up, email, pseuds, deletion (orphaning), suspension, admin hiding.

HTML views, the admin and commands all call these functions. Each is one transaction and raises
``AccountError`` with a one-line message fit to show the user when it refuses.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, ProtectedError
from django.utils import timezone

from fanfold.accounts.models import ORPHAN_USERNAME, Preference, Pseud, User
from fanfold.search.fast.changes import note_changed
from fanfold.search.indexing import index_works
from fanfold.search.models import SearchDocument
from fanfold.social.models import Bookmark, Comment, Kudo
from fanfold.works.models import Creatorship, Series, Work

USERNAME_MIN, USERNAME_MAX = 3, 40
PSEUD_NAME_MAX = 40
PSEUD_DESCRIPTION_MAX = 500
# AO3's rule: letters, digits and underscores, starting and ending with a letter or digit.
_USERNAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_]*[A-Za-z0-9])?")
# AO3's rule for pseuds: letters (any script), digits, spaces, underscores and hyphens.
_PSEUD_RE = re.compile(r"[\w\- ]+")
RESERVED_USERNAMES = frozenset({ORPHAN_USERNAME})

WorksChoice = Literal["orphan", "delete"]


class AccountError(Exception):
    """A refused account change; ``message`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Sign-up and account details ---------------------------------------------------------------------


def validate_username(username: str) -> str:
    """The username if it follows the rules, else AccountError (taken names are checked separately)."""
    username = (username or "").strip()
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise AccountError(f"A username must be {USERNAME_MIN} to {USERNAME_MAX} characters long.")
    if not _USERNAME_RE.fullmatch(username):
        raise AccountError(
            "A username can contain only letters (a–z), digits and underscores, "
            "and must begin and end with a letter or digit."
        )
    if username.lower() in RESERVED_USERNAMES:
        raise AccountError("That username is reserved. Please choose another.")
    return username


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def email_taken(email: str, *, exclude: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def clean_email(email: str, *, exclude: User | None = None) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError("Please enter a valid email address.") from None
    if email_taken(email, exclude=exclude):
        raise AccountError("Another account already uses that email address.")
    return email


def check_password_rules(password: str, user: User) -> None:
    """Django's password validators, as one line."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None


@transaction.atomic
def register_user(username: str, email: str, password: str) -> User:
    """A new account with its default pseud (named like the account) and its preferences."""
    username = validate_username(username)
    if username_taken(username):
        raise AccountError("That username is already taken. Please choose another.")
    email = clean_email(email)
    check_password_rules(password, User(username=username, email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, email=email, password=password)
    except IntegrityError:  # someone took the name a moment ago
        raise AccountError("That username is already taken. Please choose another.") from None
    set_up_account(user)
    return user


def set_up_account(user: User) -> None:
    """What every account has: a default pseud named like the account, and its preferences."""
    default_pseud(user)
    Preference.objects.get_or_create(user=user)


@transaction.atomic
def change_email(user: User, email: str) -> User:
    user.email = clean_email(email, exclude=user)
    user.save(update_fields=["email"])
    return user


# --- Pseuds ------------------------------------------------------------------------------------------


def default_pseud(user: User) -> Pseud:
    """The account's default pseud; made (named like the account) for accounts that have none yet."""
    pseuds = list(user.pseuds.order_by("-is_default", "created_at", "id")[:1])
    if pseuds:
        return pseuds[0]
    return Pseud.objects.create(user=user, name=user.username[:PSEUD_NAME_MAX], is_default=True)


def _clean_pseud(user: User, name: str, description: str, *, pseud: Pseud | None = None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        raise AccountError("A pseud needs a name.")
    if len(name) > PSEUD_NAME_MAX:
        raise AccountError(f"A pseud's name can be at most {PSEUD_NAME_MAX} characters long.")
    if not _PSEUD_RE.fullmatch(name) or not any(c.isalnum() for c in name):
        raise AccountError(
            "A pseud's name can contain letters, digits, spaces, underscores and hyphens, "
            "and needs at least one letter or digit."
        )
    if len(description) > PSEUD_DESCRIPTION_MAX:
        raise AccountError(f"A pseud's description can be at most {PSEUD_DESCRIPTION_MAX} characters long.")
    same_name = user.pseuds.filter(name__iexact=name)
    if pseud is not None:
        same_name = same_name.exclude(pk=pseud.pk)
    if same_name.exists():
        raise AccountError(f"You already have a pseud called “{name}”.")
    return name, description


def _save_pseud(pseud: Pseud, name: str) -> None:
    try:
        with transaction.atomic():
            pseud.save()
    except IntegrityError:
        raise AccountError(f"You already have a pseud called “{name}”.") from None


@transaction.atomic
def create_pseud(user: User, name: str, description: str = "") -> Pseud:
    default_pseud(user)  # an account's first pseud is always its default one
    name, description = _clean_pseud(user, name, description)
    pseud = Pseud(user=user, name=name, description=description)
    _save_pseud(pseud, name)
    return pseud


def _reindex_works_of(pseud_ids: list[int]) -> None:
    """The search index holds creators' names: refresh the works credited to these pseuds."""
    index_works(Creatorship.objects.filter(pseud_id__in=pseud_ids).values_list("work_id", flat=True))


@transaction.atomic
def update_pseud(pseud: Pseud, *, name: str, description: str = "") -> Pseud:
    if pseud.user is None:
        raise AccountError("Pseuds of imported creators are not edited here.")
    name, description = _clean_pseud(pseud.user, name, description, pseud=pseud)
    renamed = name != pseud.name
    pseud.name, pseud.description = name, description
    _save_pseud(pseud, name)
    if renamed:
        _reindex_works_of([pseud.pk])
    return pseud


@transaction.atomic
def set_default_pseud(pseud: Pseud) -> Pseud:
    if pseud.user_id is None:
        raise AccountError("Pseuds of imported creators have no account.")
    Pseud.objects.filter(user_id=pseud.user_id).exclude(pk=pseud.pk).update(is_default=False)
    Pseud.objects.filter(pk=pseud.pk).update(is_default=True)
    pseud.is_default = True
    return pseud


def _move_credits(source: Pseud, target: Pseud) -> set[int]:
    """Credit ``target`` instead of ``source`` on every work; returns the works changed."""
    changed: set[int] = set()
    already = set(Creatorship.objects.filter(pseud=target).values_list("work_id", flat=True))
    for creatorship in Creatorship.objects.filter(pseud=source):
        changed.add(creatorship.work_id)
        if creatorship.work_id in already:
            creatorship.delete()  # both pseuds were credited: one credit is enough
        else:
            creatorship.pseud = target
            creatorship.save(update_fields=["pseud"])
            already.add(creatorship.work_id)
    return changed


@transaction.atomic
def delete_pseud(pseud: Pseud) -> Pseud:
    """Delete a pseud; its works and comments move to the account's default pseud, which is returned."""
    user = pseud.user
    if user is None:
        raise AccountError("Pseuds of imported creators are not deleted here.")
    if pseud.is_default:
        raise AccountError("You can't delete your default pseud. Make another pseud the default first.")
    if user.pseuds.count() <= 1:
        raise AccountError("You can't delete your only pseud.")
    target = default_pseud(user)
    changed = _move_credits(pseud, target)
    Comment.objects.filter(pseud=pseud).update(pseud=target)
    pseud.delete()
    index_works(changed)
    return target


# --- Account deletion and orphaning ------------------------------------------------------------------


def orphan_account() -> User:
    """The shared account that keeps orphaned works; made on first use. Nobody can log in as it."""
    user = User.objects.filter(username=ORPHAN_USERNAME).first()
    if user is None:
        user = User(username=ORPHAN_USERNAME)
        user.set_unusable_password()
        user.save()
        Preference.objects.create(user=user, allow_gifts=False, history_enabled=False)
        Pseud.objects.create(user=user, name=ORPHAN_USERNAME, is_default=True)
    return user


def _orphan_pseud(orphan: User, name: str) -> Pseud:
    pseud = orphan.pseuds.filter(name__iexact=name).first()
    return pseud or Pseud.objects.create(user=orphan, name=name)


def _orphan_works(user: User, keep_pseud_names: bool) -> set[int]:
    orphan = orphan_account()
    anonymous = default_pseud(orphan)
    taken = set(Creatorship.objects.filter(pseud__user=orphan).values_list("work_id", "pseud_id"))
    changed: set[int] = set()
    for creatorship in Creatorship.objects.filter(pseud__user=user).select_related("pseud"):
        target = _orphan_pseud(orphan, creatorship.pseud.name) if keep_pseud_names else anonymous
        changed.add(creatorship.work_id)
        if (creatorship.work_id, target.pk) in taken:
            creatorship.delete()
        else:
            creatorship.pseud = target
            creatorship.save(update_fields=["pseud"])
            taken.add((creatorship.work_id, target.pk))
    return changed


def _delete_works(user: User) -> set[int]:
    """Delete the works only this account created; on shared works remove only its credit.

    Returns the shared works, whose search documents need the new creator list.
    """
    mine = set(Creatorship.objects.filter(pseud__user=user).values_list("work_id", flat=True))
    shared = set(
        Creatorship.objects.filter(work_id__in=mine)
        .exclude(pseud__user=user)
        .values_list("work_id", flat=True)
    )
    sole = mine - shared
    Creatorship.objects.filter(pseud__user=user, work_id__in=shared).delete()
    series_ids = set(Series.objects.filter(memberships__work_id__in=sole).values_list("pk", flat=True))
    SearchDocument.objects.filter(work_id__in=sole).delete()
    Work.objects.filter(pk__in=sole).delete()
    note_changed(sole)
    # A series whose every part was deleted is left with nothing to show.
    Series.objects.filter(pk__in=series_ids).annotate(parts=Count("memberships")).filter(parts=0).delete()
    return shared


def _decrement(field: str, work_ids: list[int]) -> None:
    for work_id, n in Counter(work_ids).items():
        Work.objects.filter(pk=work_id).update(**{field: F(field) - n})
    note_changed(set(work_ids))


@transaction.atomic
def delete_account(user: User, *, works: WorksChoice, keep_pseud_names: bool = True) -> None:
    """Delete an account. Its works are orphaned or deleted; its comments stay, without a name.

    Orphaned works are credited to the shared orphan account, under the same pseud names or under
    "orphan_account". Deleting never removes a work someone else also created: only this credit goes.
    Bookmarks, kudos, subscriptions, history, tokens and blocks go with the account.
    """
    if works not in ("orphan", "delete"):
        raise AccountError("Choose whether to orphan or delete your works.")
    if user.username == ORPHAN_USERNAME:
        raise AccountError("The orphan account can't be deleted.")
    reindex = _orphan_works(user, keep_pseud_names) if works == "orphan" else _delete_works(user)
    # Counters on works kept by the social services: take this account's share out.
    public_bookmarks = Bookmark.objects.filter(user=user, private=False)
    _decrement("bookmarks_count", list(public_bookmarks.values_list("work_id", flat=True)))
    Bookmark.objects.filter(user=user).delete()
    kudos = Kudo.objects.filter(user=user)
    _decrement("kudos_count", list(kudos.values_list("work_id", flat=True)))
    kudos.delete()
    # Comments stay (Comment.user and .pseud are SET_NULL): shown as from a deleted account.
    try:
        user.delete()
    except ProtectedError:
        raise AccountError(
            "Your account could not be deleted because other records still depend on it. "
            "Please contact the archive's administrators."
        ) from None
    index_works(reindex)


# --- Moderation (the admin's actions) ----------------------------------------------------------------


@transaction.atomic
def suspend_user(user: User, reason: str) -> User:
    """Suspend an account: it can no longer log in or use its API tokens. Its works stay as they are."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("Give a reason for the suspension.")
    if user.username == ORPHAN_USERNAME:
        raise AccountError("The orphan account can't be suspended.")
    user.is_active = False
    user.suspended_at = timezone.now()
    user.suspension_reason = reason
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    return user


@transaction.atomic
def lift_suspension(user: User) -> User:
    user.is_active = True
    user.suspended_at = None
    user.suspension_reason = ""
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    return user


@transaction.atomic
def set_work_hidden(work: Work, hidden: bool) -> Work:
    """Hide a work from everyone but its creators (and staff), or show it again."""
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=hidden)
    work.hidden_by_admin = hidden
    index_works([work.pk])
    return work
