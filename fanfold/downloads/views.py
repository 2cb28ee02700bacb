"""The download view: check access, send the cached file, build it (bounded wait) when missing."""

from __future__ import annotations

from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from fanfold.downloads import services
from fanfold.downloads.naming import FORMATS, file_name, file_stem
from fanfold.works.models import Work

# How long a request waits for a build before answering "try again shortly" (503). Small files
# build in well under a second; a long PDF may take longer, and must not hold a server thread.
BUILD_WAIT_SECONDS = 10
RETRY_AFTER_SECONDS = 5


def download(request: HttpRequest, work_id: int, filename: str, ext: str) -> HttpResponseBase:
    work = get_object_or_404(Work, pk=work_id)
    if ext not in FORMATS:
        raise Http404("No such download format.")
    if not services.can_download(request.user, work):
        if (
            work.restricted
            and not work.draft
            and not work.hidden_by_admin
            and not request.user.is_authenticated
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise Http404("This work is not available for download.")
    if not services.format_available(ext):
        return render(
            request,
            "downloads/unavailable.html",
            {"work": work, "label": FORMATS[ext][0], "reason": "calibre is not installed on this archive"},
            status=404,
        )
    if filename != file_stem(work.title, work.pk) or request.GET.get("updated_at") != str(
        services.updated_at(work)
    ):
        return HttpResponseRedirect(services.download_url(work, ext))
    path = services.cached_path(work, ext)
    if not path.exists():
        try:
            path = services.start_build(work, ext).result(timeout=BUILD_WAIT_SECONDS)
        except FutureTimeout:
            busy = render(
                request, "downloads/busy.html", {"work": work, "label": FORMATS[ext][0]}, status=503
            )
            busy["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return busy
        except services.DownloadUnavailable as exc:
            return render(
                request,
                "downloads/unavailable.html",
                {"work": work, "label": FORMATS[ext][0], "reason": str(exc)},
                status=500,
            )
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=file_name(work.title, work.pk, ext),
        content_type=FORMATS[ext][1],
    )
    # The URL changes with the work, so the file under it never does.
    response["Cache-Control"] = "private, max-age=86400" if work.restricted else "public, max-age=86400"
    return response
