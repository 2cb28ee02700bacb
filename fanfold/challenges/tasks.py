"""Background tasks of collections: the notifications of a reveal.

The reveal itself needs no task (visibility compares ``reveal_at`` with the clock); this one only
tells the creators, once, that their works can now be seen.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from fanfold.challenges.models import Collection, CollectionItem
from fanfold.social.tasks import _deliver

# Not (yet) among Notification.Kind's choices; the column takes it (max_length 12).
NOTIFICATION_KIND = "collection"


@task()
def send_reveal_notifications(collection_id: int) -> int:
    """Tell the creators of the collection's works that it has been revealed. Returns how many were told.

    Runs at the reveal time; if the reveal moved later in the meantime it does nothing (the new time
    has its own task), and ``reveal_notified_at`` keeps it from sending twice.
    """
    now = timezone.now()
    with transaction.atomic():
        collection = Collection.objects.select_for_update().filter(pk=collection_id).first()
        if collection is None or collection.reveal_notified_at or collection.is_unrevealed(now):
            return 0
        collection.reveal_notified_at = now
        collection.save(update_fields=["reveal_notified_at"])
    items = CollectionItem.objects.listed().filter(collection=collection).select_related("work")
    user_ids: dict[int, list[str]] = {}
    for item in items:
        for user_id in item.work.creatorships.filter(pseud__user__isnull=False).values_list(
            "pseud__user_id", flat=True
        ):
            user_ids.setdefault(user_id, []).append(item.work.title)
    url = reverse("challenges:collection", args=[collection.name])
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
    recipients = [
        (
            user,
            NOTIFICATION_KIND,
            f"{collection.title} has been revealed: {', '.join(user_ids[user.pk])}",
            url,
        )
        for user in users
    ]
    _deliver(recipients)
    return len(recipients)
