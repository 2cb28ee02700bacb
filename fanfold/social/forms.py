"""Forms for readers' actions. They only shape the input: the services decide what is allowed."""

from __future__ import annotations

from django import forms

from fanfold.accounts.models import Pseud
from fanfold.social.models import Bookmark, CommentPermission, CommentSettings
from fanfold.social.services import MAX_BOOKMARK_NOTES_LENGTH, MAX_COMMENT_LENGTH


class _Form(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CommentForm(_Form):
    """A new comment or reply. Guests give a name and an email; users may pick one of their pseuds."""

    body = forms.CharField(
        label="Comment",
        # The service measures the text after trimming; let a slightly longer paste reach it.
        max_length=MAX_COMMENT_LENGTH + 1_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text, or simple HTML: <b>, <i>, <a>, <blockquote>, <p>…",
        error_messages={"required": "Your comment is empty."},
    )
    guest_name = forms.CharField(label="Name", max_length=100, required=False)
    guest_email = forms.EmailField(
        label="Email",
        required=False,
        help_text="Never shown on the site; the creators may see it.",
    )
    pseud = forms.ModelChoiceField(label="Comment as", queryset=Pseud.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["guest_name"]
            del self.fields["guest_email"]
            pseuds = Pseud.objects.filter(user=user).order_by("-is_default", "name")
            if len(pseuds) > 1:
                choice = self.fields["pseud"]
                assert isinstance(choice, forms.ModelChoiceField)
                choice.queryset = pseuds
                choice.empty_label = None
            else:
                del self.fields["pseud"]
        else:
            del self.fields["pseud"]
            self.fields["guest_name"].required = True
            self.fields["guest_email"].required = True
            self.fields["guest_name"].error_messages["required"] = "Please give a name to comment as a guest."
            self.fields["guest_email"].error_messages["required"] = (
                "Please give an email address to comment as a guest."
            )


class CommentEditForm(_Form):
    body = CommentForm.base_fields["body"]


class CommentSettingsForm(_Form):
    comment_permission = forms.ChoiceField(
        label="Who can comment on this work",
        choices=CommentPermission.choices,
        widget=forms.RadioSelect,
    )
    moderate_comments = forms.BooleanField(
        label="Moderate comments: new comments wait for my approval before they appear",
        required=False,
    )

    @classmethod
    def for_settings(cls, settings: CommentSettings, data=None) -> CommentSettingsForm:
        initial = {
            "comment_permission": settings.comment_permission,
            "moderate_comments": settings.moderate_comments,
        }
        return cls(data, initial=initial)


class BookmarkForm(_Form):
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=MAX_BOOKMARK_NOTES_LENGTH + 1_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = forms.CharField(
        label="Your tags",
        required=False,
        max_length=12_000,
        help_text="Separate tags with commas. Only your bookmark carries them.",
    )
    rec = forms.BooleanField(label="Rec (recommend this work to others)", required=False)
    private = forms.BooleanField(label="Private bookmark (only you see it)", required=False)

    @classmethod
    def for_bookmark(cls, bookmark: Bookmark | None, data=None, **kwargs) -> BookmarkForm:
        if bookmark is None:
            return cls(data, **kwargs)
        initial = {
            # The stored (safe) HTML: editing it keeps the formatting, and it is sanitised again on save.
            "notes": bookmark.notes,
            "tags": ", ".join(bookmark.tags),
            "rec": bookmark.rec,
            "private": bookmark.private,
        }
        return cls(data, initial=initial, **kwargs)


class BookmarkFilterForm(_Form):
    """The filters of a bookmark listing (GET). Unknown or blank values are simply left out."""

    tag = forms.CharField(label="Bookmarker's tag", required=False, max_length=150)
    work_tags = forms.CharField(
        label="Work tags",
        required=False,
        max_length=1_000,
        help_text="Fandoms, characters or other tags of the work, separated by commas.",
    )
    q = forms.CharField(label="Search notes", required=False, max_length=200)
    rec = forms.BooleanField(label="Recs only", required=False)


class UsernameForm(_Form):
    username = forms.CharField(label="Username", max_length=150)
