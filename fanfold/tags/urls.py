"""Tag pages. Tag names may hold "/", "&", "?" and spaces: <path:name> keeps the slashes, and
reverse() percent-encodes the rest, so a link made with {% url %} always finds its tag again.
The longer patterns come first: "<path:name>/" would swallow ".../works/" otherwise, and the
wranglers' pages come before any tag name (a tag literally named "wrangle" is reached by search)."""

from django.urls import path

from fanfold.tags import feeds, views, wrangling_views

app_name = "tags"
urlpatterns = [
    path("wrangle/", wrangling_views.wrangle_home, name="wrangle_home"),
    path("wrangle/bin/", wrangling_views.wrangle_bin, name="wrangle_bin"),
    path("<path:name>/wrangle/", wrangling_views.wrangle_tag, name="wrangle_tag"),
    path("<path:name>/works/", views.tag_works, name="works"),
    path("<path:name>/feed.atom", feeds.TagWorksFeed(), name="feed"),
    path("<path:name>/", views.tag_detail, name="detail"),
]
