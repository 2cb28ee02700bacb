"""Access control audited: every URL pattern of the project (HTML views and the API) against every role.

The URL patterns are read from the resolver, so a new view without a row in MATRIX fails
``test_every_url_has_a_row``.

A row gives the expected status of a GET for each role, in ROLES order:
guest, user, owner, moderator, wrangler, admin, blocked, suspended (see access_world.py for who is who).
"login" means a redirect to the log-in page; any other 3xx is written as 302. Where a view is for POST
only, the GET answer (405) is in the table and POST_MATRIX gives the POST answers (with the form data
of _POST_DATA where an empty POST would only test the form); every POST runs in a rolled-back
transaction, so one role's action never changes what the next role sees. A redirect does not say
whether the change was made: test_non_moderators_cannot_moderate_collections_or_exchanges checks the
database after real POSTs.
API rows (api-v1:...) are requested with each role's API token (the suspended account's is refused).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fanfold.security.tests.access_world import ROLES, World, build_world

pytestmark = pytest.mark.django_db

L = "login"
#                            guest user owner  mod   wrang admin blocked susp
_PUBLIC = (200,) * 8
_MEMBERS = (L, 200, 200, 200, 200, 200, 200, L)  # any signed-in account
_STAFF_ONLY = (L, 403, 403, 403, 403, 200, 403, L)
_POST_ONLY_MEMBERS = (405,) * 8
_POST_ONLY_LOGIN = (L, 405, 405, 405, 405, 405, 405, L)  # log in first, then: POST only
_COLLECTION_OWNERS = (L, 404, 200, 404, 404, 200, 404, L)  # settings: owners and staff, hidden from others
_COLLECTION_MODERATORS = (L, 404, 200, 200, 404, 200, 404, L)  # owners, moderators and staff
_EXCHANGE_MODERATORS = (L, 403, 200, 200, 403, 200, 403, L)

MATRIX: dict[str, tuple] = {
    # --- works
    "works:home": _PUBLIC,
    "works:list": _PUBLIC,
    "works:new": _MEMBERS,
    "works:import_upload": _MEMBERS,
    "works:tag_suggestions": (400,) * 8,  # no q: a clear 400
    "works:detail": _PUBLIC,
    "works:edit": (L, 403, 200, 200, 403, 200, 403, L),
    "works:delete": (L, 403, 200, 200, 403, 200, 403, L),
    "works:post_draft": _POST_ONLY_LOGIN,
    "works:chapter_new": (L, 403, 200, 200, 403, 200, 403, L),
    "works:chapters_manage": (L, 403, 200, 200, 403, 200, 403, L),
    "works:chapter": _PUBLIC,
    "works:chapter_edit": (L, 403, 200, 200, 403, 200, 403, L),
    "works:chapter_delete": (L, 403, 200, 200, 403, 200, 403, L),
    "works:drafts": _MEMBERS,
    "works:invitations": _MEMBERS,
    "works:series": _PUBLIC,
    "works:pseud_works": _PUBLIC,
    "works:user_works": _PUBLIC,
    # --- social
    "social:kudos": _POST_ONLY_MEMBERS,
    "social:bookmark": (L, 200, 200, 200, 200, 200, 200, L),
    "social:toggle_later": _POST_ONLY_LOGIN,
    "social:subscribe_work": _POST_ONLY_LOGIN,
    "social:subscribe_series": _POST_ONLY_LOGIN,
    "social:subscribe_creator": _POST_ONLY_LOGIN,
    "social:comment_post": _PUBLIC,  # the comment form; POST decides
    "social:comment_queue": (404, 404, 200, 200, 404, 200, 404, 404),  # hidden from others
    "social:comment_settings": (404, 404, 200, 200, 404, 200, 404, 404),
    "social:comment": (302,) * 8,
    "social:comment_reply": _PUBLIC,  # the form; POST refuses the blocked
    "social:comment_edit": (403, 200, 403, 403, 403, 200, 403, 403),
    "social:comment_delete": (403, 200, 200, 200, 403, 200, 403, 403),
    "social:comment_freeze": _POST_ONLY_MEMBERS,
    "social:comment_moderate": _POST_ONLY_MEMBERS,
    "social:bookmarks": _PUBLIC,  # everyone's public bookmarks
    "social:bookmark_delete": (L, 200, 200, 200, 200, 200, 200, L),  # the confirmation page; POST decides
    "social:user_bookmarks": _PUBLIC,
    "social:later": _MEMBERS,
    "social:history": _MEMBERS,
    "social:history_clear": _POST_ONLY_LOGIN,
    "social:subscriptions": _MEMBERS,
    "social:subscription_delete": _POST_ONLY_LOGIN,
    "social:notifications": _MEMBERS,
    "social:notifications_read": _POST_ONLY_LOGIN,
    "social:blocked": _MEMBERS,
    "social:muted": _MEMBERS,
    # --- accounts and profiles
    "accounts:dashboard": _MEMBERS,
    "accounts:signup": (200, 302, 302, 302, 302, 302, 302, 200),
    "accounts:login": (200, 302, 302, 302, 302, 302, 302, 200),  # signed in: sent on
    "accounts:logout": (405,) * 8,
    "accounts:password_change": _MEMBERS,
    "accounts:password_reset": _PUBLIC,
    "accounts:password_reset_done": _PUBLIC,
    "accounts:password_reset_confirm": _PUBLIC,
    "accounts:password_reset_complete": _PUBLIC,
    "accounts:email": _MEMBERS,
    "accounts:delete": _MEMBERS,
    "accounts:preferences": _MEMBERS,
    "accounts:reading_settings": _PUBLIC,
    "accounts:pseuds": _MEMBERS,
    "accounts:pseud_create": _MEMBERS,
    "accounts:pseud_edit": (L, 404, 200, 404, 404, 404, 404, L),
    "accounts:pseud_default": _POST_ONLY_LOGIN,
    "accounts:pseud_delete": (L, 404, 200, 404, 404, 404, 404, L),
    "accounts:tokens": _MEMBERS,
    "accounts:token_revoke": _POST_ONLY_LOGIN,
    "profiles:detail": _PUBLIC,
    # --- tags and wrangling
    "tags:detail": _PUBLIC,
    "tags:works": _PUBLIC,
    "tags:feed": _PUBLIC,
    "tags:wrangle_home": (L, 403, 403, 403, 200, 200, 403, L),
    "tags:wrangle_bin": (L, 403, 403, 403, 200, 200, 403, L),
    "tags:wrangle_tag": (L, 403, 403, 403, 200, 200, 403, L),
    # --- API (with each role's token; the suspended account's token is refused)
    "api-v1:api-root": (404,) * 7 + (401,),
    "api-v1:openapi-json": (*_PUBLIC[:7], 401),
    "api-v1:openapi-view": (*_PUBLIC[:7], 401),
    "api-v1:work_list": (*_PUBLIC[:7], 401),
    "api-v1:work_create": (*_PUBLIC[:7], 401),
    "api-v1:work_detail": (*_PUBLIC[:7], 401),
    "api-v1:work_update": (*_PUBLIC[:7], 401),
    "api-v1:work_delete": (*_PUBLIC[:7], 401),
    "api-v1:work_kudos": (405,) * 7 + (401,),
    "api-v1:work_comments": (*_PUBLIC[:7], 401),
    "api-v1:work_comment_create": (*_PUBLIC[:7], 401),
    "api-v1:bookmark_list": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:bookmark_create": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:bookmark_update": (405,) * 7 + (401,),
    "api-v1:bookmark_delete": (405,) * 7 + (401,),
    "api-v1:mute_list": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:mute_create": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:mute_delete": (405,) * 7 + (401,),
    "api-v1:block_list": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:block_create": (401, 200, 200, 200, 200, 200, 200, 401),
    "api-v1:block_delete": (405,) * 7 + (401,),
    "api-v1:tag_lookup": (400,) * 7 + (401,),  # no q: a clear 400
    "api-v1:fallback": (404,) * 7 + (401,),
    # --- downloads (the owner's restricted work, archive-locked: log in first)
    "downloads:file": (L, 200, 200, 200, 200, 200, 200, L),
    # --- collections and challenges (see access_world.py: owner owns, moderator moderates, user is a member)
    "challenges:index": _PUBLIC,
    "challenges:new": _MEMBERS,
    "challenges:work_invitations": _MEMBERS,
    "challenges:collection": _PUBLIC,
    "challenges:collection_works": _PUBLIC,
    "challenges:settings": _COLLECTION_OWNERS,
    "challenges:reveal": _POST_ONLY_MEMBERS,
    "challenges:add_work": _MEMBERS,  # the form; a refusal is shown on it
    "challenges:members": _PUBLIC,  # approved members; requests and invitations only for moderators
    "challenges:membership": _POST_ONLY_MEMBERS,
    "challenges:join": _POST_ONLY_MEMBERS,
    "challenges:leave": _POST_ONLY_MEMBERS,
    "challenges:moderate": _COLLECTION_MODERATORS,
    "challenges:moderate_item": _POST_ONLY_MEMBERS,
    "challenges:calendar": _PUBLIC,
    "challenges:calendar_settings": _COLLECTION_OWNERS,  # needs @login_required (guests: 404 before)
    "challenges:calendar_progress": _PUBLIC,
    "challenges:completionists": _PUBLIC,
    "challenges:calendar_day": _PUBLIC,
    "challenges:meme_prompts": _PUBLIC,
    "challenges:meme_new_prompt": _MEMBERS,
    "challenges:meme_prompt": _PUBLIC,
    "challenges:meme_claim": _POST_ONLY_MEMBERS,
    "challenges:meme_drop": _POST_ONLY_MEMBERS,
    # --- gift exchanges (matrix-swap open for sign-ups; assignments of matrix-sent-swap)
    "exchanges:list": _PUBLIC,
    "exchanges:detail": _PUBLIC,
    "exchanges:setup": _EXCHANGE_MODERATORS,
    "exchanges:signup": _MEMBERS,
    "exchanges:delete_signup": _POST_ONLY_LOGIN,
    # user's assignment: the giver and the moderators; wrangler, its receiver, must not see who writes
    "exchanges:assignment": (L, 200, 200, 200, 404, 200, 404, L),
    "exchanges:manage": _EXCHANGE_MODERATORS,
    "exchanges:action": _POST_ONLY_LOGIN,
    "exchanges:pinch_hit": _POST_ONLY_LOGIN,
    "exchanges:moderator_default": _POST_ONLY_LOGIN,
    # --- site
    "favicon": (301,) * 8,
}

# POST answers for the views that change things (each in a rolled-back transaction).
POST_MATRIX: dict[str, tuple] = {
    "works:edit": (L, 403, 400, 400, 403, 400, 403, L),
    "works:delete": (L, 403, 302, 302, 403, 302, 403, L),
    "works:chapter_delete": (L, 403, 302, 302, 403, 302, 403, L),
    "social:kudos": (302, 302, 302, 302, 302, 302, 302, 302),
    "social:comment_post": (400, 400, 400, 400, 400, 400, 403, 400),  # empty body: 400; blocked: 403
    "social:comment_reply": (400, 400, 400, 400, 400, 400, 403, 400),
    "social:comment_edit": (403, 400, 403, 403, 403, 400, 403, 403),
    "social:comment_delete": (403, 302, 302, 302, 403, 302, 403, 403),
    "social:comment_freeze": (403, 403, 302, 302, 403, 302, 403, 403),
    "social:comment_moderate": (403, 403, 302, 302, 403, 302, 403, 403),
    "social:comment_settings": (404, 404, 200, 200, 404, 200, 404, 404),
    "social:bookmark_delete": (L, 302, 403, 403, 403, 302, 403, L),
    "social:subscription_delete": (L, 302, 404, 404, 404, 404, 404, L),
    "accounts:pseud_delete": (L, 404, 400, 404, 404, 404, 404, L),  # the only pseud is the default
    "accounts:token_revoke": (L, 302, 302, 302, 302, 302, 302, L),  # scoped to the account: see below
    "tags:wrangle_tag": (L, 403, 403, 403, 400, 400, 403, L),  # empty form: 400
    "api-v1:work_update": (401, 403, 200, 200, 403, 200, 403, 401),
    "api-v1:work_delete": (401, 403, 204, 204, 403, 204, 403, 401),
    "api-v1:work_kudos": (201, 201, 403, 403, 201, 201, 403, 401),
    "api-v1:bookmark_delete": (401, 204, 403, 403, 403, 204, 403, 401),
    # --- collections and challenges (a 302 is back to the page with a message; the database is
    # checked in test_non_moderators_cannot_moderate_collections_or_exchanges)
    "challenges:new": (L, 200, 200, 200, 200, 200, 200, L),  # empty form: shown again with its errors
    "challenges:work_invitations": (L, 404, 404, 404, 404, 404, 404, L),  # no such invitation
    "challenges:settings": (L, 404, 200, 404, 404, 200, 404, L),
    "challenges:reveal": (L, 404, 302, 302, 404, 302, 404, L),
    "challenges:add_work": (L, 200, 200, 200, 200, 200, 200, L),
    # invite wrangler: moderators are sent on; anyone else's POST is ignored and the page shown
    "challenges:members": (200, 200, 302, 302, 200, 302, 200, 200),
    # remove user; non-moderators' POSTs need a 404 in the view (a redirect with a message before)
    "challenges:membership": (L, 404, 302, 302, 404, 302, 404, L),
    "challenges:join": (L, 302, 302, 302, 302, 302, 302, L),
    "challenges:leave": (L, 302, 302, 302, 302, 302, 302, L),  # the only owner is told they can't
    "challenges:moderate": (L, 404, 302, 302, 404, 302, 404, L),  # invite a work
    # approve user's pending work: user may only remove their own (told so); others need a 404 in
    # the view (a redirect with a message before)
    "challenges:moderate_item": (L, 302, 302, 302, 404, 302, 404, L),
    "challenges:calendar_settings": (L, 404, 200, 404, 404, 200, 404, L),  # needs @login_required
    "challenges:calendar_day": (L, 200, 200, 200, 200, 200, 200, L),
    "challenges:meme_new_prompt": (L, 200, 200, 200, 200, 200, 200, L),
    # a fill with no work chosen: the page again; a guest's POST is ignored (calendar_day asks to log in)
    "challenges:meme_prompt": (200, 200, 200, 200, 200, 200, 200, 200),
    "challenges:meme_claim": (L, 302, 302, 302, 302, 302, 302, L),
    "challenges:meme_drop": (L, 302, 302, 302, 302, 302, 302, L),
    # --- gift exchanges
    "exchanges:setup": (L, 403, 200, 200, 403, 200, 403, L),  # empty form: shown again
    "exchanges:signup": (L, 200, 200, 200, 200, 200, 200, L),
    # user's sign-up; someone else's needs a 404 in the view (a redirect with a message before)
    "exchanges:delete_signup": (L, 302, 302, 302, 404, 302, 404, L),
    "exchanges:assignment": (L, 200, 200, 200, 404, 200, 404, L),
    "exchanges:action": (L, 403, 302, 302, 403, 302, 403, L),  # close sign-ups
    "exchanges:pinch_hit": (L, 403, 302, 302, 403, 302, 403, L),
    "exchanges:moderator_default": (L, 403, 302, 302, 403, 302, 403, L),
    # --- downloads: nothing to change
    "downloads:file": (L, 200, 200, 200, 200, 200, 200, L),
}
# Form data of the POSTs above, where an empty form would stop before the permission check matters.
_POST_DATA: dict[str, Callable[[dict], dict]] = {
    "challenges:members": lambda ids: {"username": "matrix_wrangler", "role": "member"},
    "challenges:membership": lambda ids: {"action": "remove"},
    "challenges:moderate": lambda ids: {"work_id": ids["work_id"]},
    "challenges:moderate_item": lambda ids: {"action": "approve"},
    "exchanges:action": lambda ids: {"action": "close"},
    "exchanges:pinch_hit": lambda ids: {"username": "matrix_admin"},
}
_POST_METHODS = {
    "api-v1:work_update": "patch",
    "api-v1:work_delete": "delete",
    "api-v1:bookmark_delete": "delete",
}


# --- walking the resolver -----------------------------------------------------------------------------


def url_patterns() -> list[tuple[str, str]]:
    """(name, route) of every URL pattern, namespaced; the admin site is checked separately."""

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = namespace + (pattern.name or route.strip("/").replace(".", "_").split("_")[0])
                yield name, route

    return [(n, r) for n, r in walk(get_resolver().url_patterns, "", "") if not n.startswith("admin:")]


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")

# Which collection a challenges or exchanges URL is about (see access_world.py); others: matrix-circle.
_COLLECTION_OF = {
    "challenges:calendar": "calendar_name",
    "challenges:calendar_settings": "calendar_name",
    "challenges:calendar_progress": "calendar_name",
    "challenges:completionists": "calendar_name",
    "challenges:calendar_day": "calendar_name",
    "challenges:meme_prompts": "meme_name",
    "challenges:meme_new_prompt": "meme_name",
    "challenges:meme_prompt": "meme_name",
    "challenges:meme_claim": "meme_name",
    "challenges:meme_drop": "meme_name",
    "exchanges:detail": "exchange_name",
    "exchanges:setup": "exchange_name",
    "exchanges:signup": "exchange_name",
    "exchanges:delete_signup": "exchange_name",
    "exchanges:manage": "exchange_name",
    "exchanges:action": "exchange_name",
    "exchanges:assignment": "sent_exchange_name",
    "exchanges:pinch_hit": "sent_exchange_name",
    "exchanges:moderator_default": "sent_exchange_name",
}


def fill(route: str, ids: dict, name: str) -> str:
    """A concrete URL for a route: each parameter from the world (the draft for post_draft, the
    restricted work for the download, with the file name and ``updated_at`` the work page links to)."""

    def value(match: re.Match) -> str:
        param = match.group(2)
        if param == "work_id" and name == "works:post_draft":
            return str(ids["draft_id"])
        if param == "work_id" and name == "downloads:file":
            return str(ids["restricted_work_id"])
        if param == "rest":
            return "no/such/endpoint"
        if param in {"uidb64", "token"}:
            return "MQ" if param == "uidb64" else "bad-token"
        if param == "filename":
            return ids["download_stem"]
        if param == "ext":
            return "txt"
        if param == "name" and "<slug:" in match.group(0):
            return ids[_COLLECTION_OF.get(name, "collection_name")]
        if param == "pk":
            return str(ids["signup_id" if name == "exchanges:delete_signup" else "assignment_id"])
        return str(ids[param])

    url = "/" + _CONVERTER.sub(value, route)
    if name == "downloads:file":
        url += f"?updated_at={ids['download_updated_at']}"
    return url


def _status(response) -> object:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if "/account/login/" in location or "/admin/login/" in location:
            return L
        return 301 if response.status_code == 301 else 302
    return response.status_code


def _client(world: World, role: str, api: bool) -> Client:
    if api:
        if role == "guest":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    client = Client()
    if role != "guest":
        client.force_login(world.users[role])  # an inactive (suspended) account's session does not hold
    return client


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    settings.DATA_DIR = tmp_path  # built downloads are cached under DATA_DIR/downloads
    return build_world()


def _observe(world: World, method: str, names: set[str]) -> dict[str, tuple]:
    observed: dict[str, tuple] = {}
    routes = dict(url_patterns())
    for name in sorted(names):
        url = fill(routes[name], world.ids, name)
        api = name.startswith("api-v1:")
        row = []
        for role in ROLES:
            client = _client(world, role, api)
            verb = _POST_METHODS.get(name, method) if method != "get" else "get"
            with transaction.atomic():
                if api and verb != "get":
                    response = getattr(client, verb)(url, data="{}", content_type="application/json")
                elif verb == "post" and name in _POST_DATA:
                    response = client.post(url, _POST_DATA[name](world.ids))
                else:
                    response = getattr(client, verb)(url)
                transaction.set_rollback(True)
            row.append(_status(response))
        observed[name] = tuple(row)
    return observed


# --- the tests -----------------------------------------------------------------------------------------


def test_every_url_has_a_row():
    names = {name for name, _ in url_patterns()}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"views without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"rows for URLs that no longer exist: {stale}"


def test_get_matrix(world):
    names = {name for name, _ in url_patterns()} & set(MATRIX)
    observed = _observe(world, "get", names)
    wrong = {
        name: {
            role: (want, got) for role, want, got in zip(ROLES, MATRIX[name], row, strict=True) if want != got
        }
        for name, row in observed.items()
        if row != MATRIX[name]
    }
    assert not wrong, wrong


def test_post_matrix(world):
    observed = _observe(world, "post", set(POST_MATRIX))
    wrong = {
        name: {
            role: (want, got)
            for role, want, got in zip(ROLES, POST_MATRIX[name], row, strict=True)
            if want != got
        }
        for name, row in observed.items()
        if row != POST_MATRIX[name]
    }
    assert not wrong, wrong


def test_no_role_gets_a_server_error_on_post(world):
    """Whatever the tables say, an empty POST to any URL by any role never ends in a 5xx (GETs are
    pinned by the GET table already)."""
    names = {name for name, _ in url_patterns()} & set(MATRIX)
    for method in ("post",):
        observed = _observe(world, method, names)
        errors = {
            name: row for name, row in observed.items() if any(isinstance(s, int) and s >= 500 for s in row)
        }
        assert not errors, (method, errors)


ADMIN_URLS = ("/admin/", "/admin/accounts/user/", "/admin/works/work/", "/admin/social/comment/")


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_site_is_for_staff_only(world, url):
    for role in ROLES:
        status = _status(_client(world, role, api=False).get(url))
        assert status == (200 if role == "admin" else L), (role, status)


def test_other_accounts_cannot_touch_what_is_not_theirs(world):
    """Statuses alone do not prove nothing happened (token_revoke answers every account with a redirect):
    every other role's POST is made for real here, and the owner's token, the user's bookmark and
    comment and the owner's pseud must all still be there afterwards."""
    from fanfold.accounts.models import ApiToken, Pseud
    from fanfold.social.models import Bookmark, Comment

    ids = world.ids
    posts = [
        (f"/account/tokens/{ids['token_id']}/revoke/", ("user", "moderator", "wrangler", "admin", "blocked")),
        (f"/account/pseuds/{ids['pseud_id']}/delete/", ("user", "moderator", "wrangler", "admin", "blocked")),
        (f"/bookmarks/{ids['bookmark_id']}/delete/", ("owner", "moderator", "wrangler", "blocked")),
        (f"/comments/{ids['comment_id']}/edit/", ("owner", "moderator", "wrangler", "blocked")),
        (f"/comments/{ids['comment_id']}/delete/", ("wrangler", "blocked", "guest", "suspended")),
        (f"/works/{ids['work_id']}/delete/", ("user", "wrangler", "blocked", "guest", "suspended")),
    ]
    for url, roles in posts:
        for role in roles:
            _client(world, role, api=False).post(url, {"body": "Overwritten by someone else."})
    assert ApiToken.objects.filter(pk=ids["token_id"]).exists()
    assert Pseud.objects.filter(pk=ids["pseud_id"]).exists()
    assert Bookmark.objects.filter(pk=ids["bookmark_id"]).exists()
    comment = Comment.objects.get(pk=ids["comment_id"])
    assert not comment.deleted and "someone else" not in comment.body
    from fanfold.works.models import Work

    assert Work.objects.filter(pk=ids["work_id"]).exists()


def test_non_moderators_cannot_moderate_collections_or_exchanges(world):
    """Real POSTs by everyone who neither owns nor moderates the collections and exchanges (user, who is
    a member, a participant and the work's creator, wrangler, blocked, a guest and the suspended
    account) to the moderation endpoints: nothing changes. Then the moderator's same POSTs do change
    things, so the URLs and form data above are the ones that work."""
    from fanfold.challenges.models import Collection, CollectionItem, Membership
    from fanfold.exchanges.models import Assignment, GiftExchange, Signup

    ids = world.ids
    circle = f"/collections/{ids['collection_name']}"
    swap, sent = f"/exchanges/{ids['exchange_name']}", f"/exchanges/{ids['sent_exchange_name']}"
    strangers = ("user", "wrangler", "blocked", "guest", "suspended")
    posts = [
        # user tries to make themselves an owner, and everyone to remove user
        (f"{circle}/members/{ids['membership_id']}/", {"action": "role", "role": "owner"}, strangers),
        (f"{circle}/members/{ids['membership_id']}/", {"action": "remove"}, strangers),
        (f"{circle}/members/", {"username": "matrix_blocked", "role": "moderator"}, strangers),
        (f"{circle}/moderate/{ids['item_id']}/", {"action": "approve"}, strangers),
        (f"{circle}/moderate/{ids['item_id']}/", {"action": "reject"}, strangers),
        (f"{circle}/moderate/", {"work_id": ids["work_id"]}, strangers),
        (f"{circle}/reveal/", {}, strangers),
        (f"{circle}/settings/", {"title": "Taken Over", "joining": "open"}, (*strangers, "moderator")),
        (f"{swap}/manage/action/", {"action": "close"}, strangers),
        (
            f"{swap}/setup/",
            {"requests_min": 1, "requests_max": 1, "offers_min": 1, "offers_max": 1},
            strangers,
        ),
        (f"{swap}/signups/{ids['signup_id']}/delete/", {}, ("wrangler", "blocked", "guest", "suspended")),
        (f"{sent}/manage/action/", {"action": "reveal"}, strangers),
        (f"{sent}/manage/assignments/{ids['assignment_id']}/default/", {}, strangers),
        (
            f"{sent}/manage/assignments/{ids['assignment_id']}/pinch-hit/",
            {"username": "matrix_blocked"},
            strangers,
        ),
        # wrangler receives this gift: neither they nor anyone but its giver can give it up
        (
            f"{sent}/assignments/{ids['assignment_id']}/",
            {"action": "default"},
            ("wrangler", "blocked", "guest"),
        ),
    ]
    for url, data, roles in posts:
        for role in roles:
            response = _client(world, role, api=False).post(url, data)
            assert response.status_code < 500, (url, role, response.status_code)

    def state():
        collection = Collection.objects.get(name=ids["collection_name"])
        return {
            "memberships": sorted(
                Membership.objects.filter(collection=collection).values_list(
                    "user__username", "role", "status"
                )
            ),
            "item": CollectionItem.objects.get(pk=ids["item_id"]).status,
            "items": CollectionItem.objects.filter(collection=collection).count(),
            "unrevealed": (collection.is_unrevealed(), collection.hides_creators()),
            "title": collection.title,
            "swap": GiftExchange.objects.get(collection__name=ids["exchange_name"]).state,
            "swap_limits": GiftExchange.objects.filter(collection__name=ids["exchange_name"])
            .values_list("requests_max", "offers_max")
            .get(),
            "signup": Signup.objects.filter(pk=ids["signup_id"]).exists(),
            "sent": GiftExchange.objects.get(collection__name=ids["sent_exchange_name"]).state,
            "assignments": sorted(
                Assignment.objects.filter(exchange__collection__name=ids["sent_exchange_name"]).values_list(
                    "status", "pinch_hitter__username"
                )
            ),
        }

    after = state()
    assert after == {
        "memberships": sorted(
            [
                ("matrix_owner", "owner", "approved"),
                ("matrix_moderator", "moderator", "approved"),
                ("matrix_user", "member", "approved"),
            ]
        ),
        "item": CollectionItem.Status.PENDING,
        "items": 1,
        "unrevealed": (True, True),
        "title": "Matrix Circle",
        "swap": GiftExchange.State.OPEN,
        "swap_limits": (3, 3),
        "signup": True,
        "sent": GiftExchange.State.SENT,
        "assignments": [("sent", None), ("sent", None)],
    }

    # The moderator's own POSTs do what the strangers' could not.
    moderator = _client(world, "moderator", api=False)
    for url, data in [
        (f"{circle}/moderate/{ids['item_id']}/", {"action": "approve"}),
        (f"{circle}/members/", {"username": "matrix_blocked", "role": "member"}),
        (f"{circle}/reveal/", {}),
        (f"{swap}/manage/action/", {"action": "close"}),
        (f"{swap}/signups/{ids['signup_id']}/delete/", {}),
        (f"{sent}/manage/assignments/{ids['assignment_id']}/default/", {}),
    ]:
        assert moderator.post(url, data).status_code == 302, url
    changed = state()
    assert changed["item"] == CollectionItem.Status.APPROVED
    assert ("matrix_blocked", "member", "invited") in changed["memberships"]
    assert changed["unrevealed"] == (False, False)
    assert changed["swap"] == GiftExchange.State.CLOSED and not changed["signup"]
    assert ("defaulted", None) in changed["assignments"]
