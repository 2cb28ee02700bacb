"""Helpers for the posting tests: accounts and WorkInputs. All names and text are invented."""

from __future__ import annotations

from fanfold.accounts.models import Pseud, User
from fanfold.tags import vocabulary as vocab
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works import posting
from fanfold.works.models import Work

PASSWORD = "quill-and-inkpot-42"


def make_user(username: str, **extra) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.org", password=PASSWORD, **extra)
    Pseud.objects.create(user=user, name=username, is_default=True)
    return user


def chapter_input(body: str = "<p>The lighthouse keeper counted gulls until dawn.</p>", **fields):
    return posting.ChapterInput(body=body, **fields)


def work_input(**overrides) -> posting.WorkInput:
    fields = {
        "title": "Gull Count",
        "fandoms": ["Tidewater Chronicles (Original Work)"],
        "rating": vocab.GENERAL,
        "warnings": [vocab.NO_WARNINGS],
        "characters": ["Maren Holt"],
        "chapters": [chapter_input()],
        "chapters_expected": 1,
    }
    fields.update(overrides)
    return posting.WorkInput(**fields)


def post(user: User, **overrides) -> Work:
    ensure_fixed_tags()
    return posting.post_work(user, work_input(**overrides))
