"""Readers' actions: kudos, comments, bookmarks, subscriptions, history, notifications, blocking."""


app_name = "social"
urlpatterns: list = []
