"""The signed-in reader's unread notification count, for the navigation bar."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fanfold.social.models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: a number, counted (one indexed COUNT) only if a template uses it.

    Guests get 0 without a query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read=False).count()
        )
    }
