"""Forms of the wranglers' pages. They only read input; the writes are fanfold.tags.wrangling's."""

from __future__ import annotations

from django import forms

from fanfold.tags.models import TagType
from fanfold.tags.wrangling import MAX_COMMENT_LENGTH, WRANGLABLE_TYPES

BIN_TYPES = (
    TagType.CHARACTER,
    TagType.RELATIONSHIP,
    TagType.ADDITIONAL,
    TagType.UNSORTED,
    TagType.FANDOM,
)

# The bin's mass actions: (value, label, what the target field names).
BIN_ACTIONS = (
    ("make_canonical", "Make canonical", ""),
    ("make_synonym", "Make synonym of…", "tag"),
    ("attach_to_fandom", "Attach to fandom…", "fandom"),
    ("add_meta_tag", "Add meta tag…", "tag"),
    ("set_type", "Set type to…", "type"),
    ("mark_unwrangleable", "Mark unwrangleable", ""),
)
TARGET_KIND = {value: kind for value, _, kind in BIN_ACTIONS}


class MassWrangleForm(forms.Form):
    action = forms.ChoiceField(choices=[(v, label) for v, label, _ in BIN_ACTIONS], label="Action")
    target = forms.CharField(
        required=False,
        max_length=150,
        label="Tag or fandom name",
        help_text="For “make synonym of”, “attach to fandom” and “add meta tag”.",
    )
    new_type = forms.ChoiceField(
        required=False,
        choices=[("", "—")] + [(t.value, t.label) for t in WRANGLABLE_TYPES],
        label="Type",
        help_text="For “set type to”.",
    )


class TagCommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_COMMENT_LENGTH, label="Comment"
    )
