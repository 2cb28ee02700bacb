"""Tag pages. Tag names may hold "/", "&", "?" and spaces: <path:name> keeps the slashes, and
reverse() percent-encodes the rest, so a link made with {% url %} always finds its tag again.
The longer patterns come first: "<path:name>/" would swallow ".../works/" otherwise."""

from django.urls import path

from fanfold.tags import feeds, views

app_name = "tags"
urlpatterns = [
    path("<path:name>/works/", views.tag_works, name="works"),
    path("<path:name>/feed.atom", feeds.TagWorksFeed(), name="feed"),
    path("<path:name>/", views.tag_detail, name="detail"),
]
