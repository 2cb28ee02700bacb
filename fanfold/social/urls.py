"""Readers' actions: kudos, comments, bookmarks, subscriptions, history, notifications, blocking.

Mounted at the site root before works.urls and the profile pages, so the paths below must not be
taken there: works/<id>/ and its chapters belong to works, /users/<username>/ to the profiles.
"""

from django.urls import path

from fanfold.social import views_bookmarks, views_comments, views_reader, views_work

app_name = "social"
urlpatterns = [
    # on a work page
    path("works/<int:work_id>/kudos/", views_work.kudos, name="kudos"),
    path("works/<int:work_id>/bookmark/", views_work.work_bookmark, name="bookmark"),
    path("works/<int:work_id>/later/", views_work.toggle_later, name="toggle_later"),
    path("works/<int:work_id>/subscribe/", views_work.subscribe_work, name="subscribe_work"),
    path("series/<int:series_id>/subscribe/", views_work.subscribe_series, name="subscribe_series"),
    path("users/<str:username>/subscribe/", views_work.subscribe_creator, name="subscribe_creator"),
    # comments
    path("works/<int:work_id>/comments/", views_comments.comment_post, name="comment_post"),
    path("works/<int:work_id>/comments/queue/", views_comments.comment_queue, name="comment_queue"),
    path("works/<int:work_id>/comments/settings/", views_comments.comment_settings, name="comment_settings"),
    path("comments/<int:comment_id>/", views_comments.comment_detail, name="comment"),
    path("comments/<int:comment_id>/reply/", views_comments.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", views_comments.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views_comments.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/freeze/", views_comments.comment_freeze, name="comment_freeze"),
    path("comments/<int:comment_id>/moderate/", views_comments.comment_moderate, name="comment_moderate"),
    # bookmarks
    path("bookmarks/", views_bookmarks.bookmark_list, name="bookmarks"),
    path("bookmarks/<int:bookmark_id>/delete/", views_work.bookmark_delete, name="bookmark_delete"),
    path("users/<str:username>/bookmarks/", views_bookmarks.user_bookmarks, name="user_bookmarks"),
    # the reader's own lists
    path("later/", views_reader.later, name="later"),
    path("history/", views_reader.history, name="history"),
    path("history/clear/", views_reader.history_clear, name="history_clear"),
    path("subscriptions/", views_reader.subscriptions, name="subscriptions"),
    path(
        "subscriptions/<int:subscription_id>/delete/",
        views_reader.subscription_delete,
        name="subscription_delete",
    ),
    path("notifications/", views_reader.notifications, name="notifications"),
    path("notifications/read/", views_reader.notifications_read, name="notifications_read"),
    path("blocked/", views_reader.blocked, name="blocked"),
    path("muted/", views_reader.muted, name="muted"),
]
