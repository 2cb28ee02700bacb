from django.urls import path

from fanfold.challenges import views, views_calendar, views_members, views_meme

app_name = "challenges"
urlpatterns = [
    path("", views.collection_index, name="index"),
    path("new/", views.collection_create, name="new"),
    path("invitations/", views_members.work_invitations, name="work_invitations"),
    path("<slug:name>/", views.collection_detail, name="collection"),
    path("<slug:name>/works/", views.collection_works, name="collection_works"),
    path("<slug:name>/settings/", views.collection_settings, name="settings"),
    path("<slug:name>/reveal/", views.collection_reveal, name="reveal"),
    path("<slug:name>/add-work/", views.add_work, name="add_work"),
    path("<slug:name>/members/", views_members.members, name="members"),
    path("<slug:name>/members/<int:membership_id>/", views_members.membership_decision, name="membership"),
    path("<slug:name>/join/", views_members.join, name="join"),
    path("<slug:name>/leave/", views_members.leave, name="leave"),
    path("<slug:name>/moderate/", views_members.moderation_queue, name="moderate"),
    path("<slug:name>/moderate/<int:item_id>/", views_members.moderate, name="moderate_item"),
    path("<slug:name>/calendar/", views_calendar.calendar_page, name="calendar"),
    path("<slug:name>/calendar/settings/", views_calendar.calendar_settings, name="calendar_settings"),
    path("<slug:name>/calendar/progress/", views_calendar.calendar_progress, name="calendar_progress"),
    path(
        "<slug:name>/calendar/completionists/", views_calendar.calendar_completionists, name="completionists"
    ),
    path("<slug:name>/calendar/day/<int:day>/", views_calendar.calendar_day, name="calendar_day"),
    path("<slug:name>/prompts/", views_meme.prompts, name="meme_prompts"),
    path("<slug:name>/prompts/new/", views_meme.new_prompt, name="meme_new_prompt"),
    path("<slug:name>/prompts/<int:prompt_id>/", views_meme.prompt_detail, name="meme_prompt"),
    path("<slug:name>/prompts/<int:prompt_id>/claim/", views_meme.claim, name="meme_claim"),
    path("<slug:name>/prompts/<int:prompt_id>/drop/", views_meme.drop_claim, name="meme_drop"),
]
