"""Public pages of an account: /users/<username>/ (the account's own works list lives in works.urls)."""


app_name = "profiles"
urlpatterns: list = []
