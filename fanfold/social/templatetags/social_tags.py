"""Template tags for readers' actions shown on other apps' pages (profiles)."""

from __future__ import annotations

from django import template
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from fanfold.social.models import Block, Mute, Subscription

register = template.Library()


@register.simple_tag(takes_context=True)
def social_relationship(context, profile_user) -> dict:
    """Whether the viewer blocks, mutes or subscribes to ``profile_user``, in one query.

    ``show`` is False for guests and on one's own profile: there is nothing to offer then.
    """
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if profile_user is None or viewer is None or not viewer.is_authenticated or viewer.pk == profile_user.pk:
        return {"show": False}
    row = (
        get_user_model()
        .objects.filter(pk=profile_user.pk)
        .annotate(
            blocked=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
            muted=Exists(Mute.objects.filter(muter=viewer, muted=OuterRef("pk"))),
            subscribed=Exists(
                Subscription.objects.filter(
                    user=viewer, kind=Subscription.Kind.CREATOR, creator=OuterRef("pk")
                )
            ),
        )
        .values("blocked", "muted", "subscribed")
        .first()
    )
    if row is None:
        return {"show": False}
    return {"show": True, **row}
