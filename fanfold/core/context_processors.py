from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict:
    from fanfold.core.permissions import is_wrangler

    user = getattr(request, "user", None)
    return {
        "site_name": settings.SITE_NAME,
        "signups_open": settings.FANFOLD_SIGNUPS_OPEN,
        # Asked only when a template shows the link, and never for guests.
        "is_wrangler": SimpleLazyObject(lambda: is_wrangler(user))
        if user and user.is_authenticated
        else False,
    }
