"""`Authorization: Bearer <token>` on API requests signs the request in as the token's user."""

from __future__ import annotations

from django.http import JsonResponse

from fanfold.accounts.tokens import user_for_token


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return JsonResponse({"detail": "Authorization must be 'Bearer <token>'."}, status=401)
            user = user_for_token(raw.strip())
            if user is None:
                return JsonResponse({"detail": "Invalid or revoked API token."}, status=401)
            request.user = user
            request._dont_enforce_csrf_checks = True  # a bearer token is not a cookie: no CSRF risk
        return self.get_response(request)
