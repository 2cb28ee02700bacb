"""Background tasks of gift exchanges: telling givers about their assignments."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from fanfold.exchanges.models import Assignment

# Not yet one of Notification.Kind's choices (the column takes any short string); see the docs.
ASSIGNMENT_KIND = "assignment"


@task()
def send_assignment_notifications(assignment_ids: list[int]) -> int:
    """One notification and one email per sent assignment to its giver or pinch hitter. Returns the
    number of emails sent; assignments no longer sent (defaulted, deleted) are skipped."""
    from fanfold.social.tasks import _deliver

    assignments = Assignment.objects.filter(
        pk__in=assignment_ids, status=Assignment.Status.SENT
    ).select_related("exchange__collection", "giver__user", "pinch_hitter", "receiver__pseud")
    recipients = []
    for assignment in assignments.order_by("pk"):
        user = assignment.pinch_hitter or (assignment.giver.user if assignment.giver else None)
        if user is None or not user.is_active:
            continue
        collection = assignment.exchange.collection
        text = f"Your gift exchange assignment for {collection.title}: you write for {assignment.receiver.pseud.name}"
        url = reverse("exchanges:assignment", args=[collection.name, assignment.pk])
        recipients.append((user, ASSIGNMENT_KIND, text, url))
    if not recipients:
        return 0
    body = "Open the link to read their requests. Your gift stays anonymous until the reveal."
    return _deliver(recipients, body)
