from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from fanfold.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("account/", include("fanfold.accounts.urls")),
    path("tags/", include("fanfold.tags.urls")),
    path("collections/", include("fanfold.challenges.urls")),
    path("exchanges/", include("fanfold.exchanges.urls")),
    path("downloads/", include("fanfold.downloads.urls")),
    path("favicon.ico", RedirectView.as_view(url=static("fanfold/favicon.svg"), permanent=True)),
    path("", include("fanfold.social.urls")),
    path("users/", include("fanfold.accounts.profile_urls")),
    path("", include("fanfold.works.urls")),
]
