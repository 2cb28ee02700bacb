from django.urls import path

from fanfold.works import posting_views, views

app_name = "works"
urlpatterns = [
    path("", views.home, name="home"),
    path("works/", views.work_list, name="list"),
    path("works/new/", posting_views.new_work, name="new"),
    path("works/import/", posting_views.import_upload, name="import_upload"),
    path("works/tag-suggestions/", posting_views.tag_suggestions, name="tag_suggestions"),
    path("works/<int:work_id>/", views.work_detail, name="detail"),
    path("works/<int:work_id>/edit/", posting_views.edit_work, name="edit"),
    path("works/<int:work_id>/delete/", posting_views.delete_work, name="delete"),
    path("works/<int:work_id>/post/", posting_views.post_draft, name="post_draft"),
    path("works/<int:work_id>/chapters/new/", posting_views.new_chapter, name="chapter_new"),
    path("works/<int:work_id>/chapters/manage/", posting_views.manage_chapters, name="chapters_manage"),
    path("works/<int:work_id>/chapters/<int:position>/", views.chapter_detail, name="chapter"),
    path(
        "works/<int:work_id>/chapters/<int:position>/edit/", posting_views.edit_chapter, name="chapter_edit"
    ),
    path(
        "works/<int:work_id>/chapters/<int:position>/delete/",
        posting_views.delete_chapter,
        name="chapter_delete",
    ),
    path("drafts/", posting_views.drafts, name="drafts"),
    path("invitations/", posting_views.invitations, name="invitations"),
    path("series/<int:series_id>/", posting_views.series_detail, name="series"),
    # Pseud names are unique per account only, so a creator's works are found by the pseud's id.
    path("creators/<int:pseud_id>/works/", views.pseud_works, name="pseud_works"),
    path("users/<str:username>/works/", views.user_works, name="user_works"),
]
