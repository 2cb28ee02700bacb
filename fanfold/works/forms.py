"""Forms of the posting pages. They only read what was typed; the rules live in ``works.posting``.

Fields are optional here so that the services' one-line messages (which the API shows too) are what
the creator reads, next to the field at fault (``add_posting_error``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.urls import reverse

from fanfold.accounts.models import Pseud
from fanfold.core.languages import LANGUAGES
from fanfold.social.models import CommentPermission
from fanfold.tags import vocabulary as vocab
from fanfold.works.models import RelatedWork
from fanfold.works.posting import ChapterInput, PostingError, RelatedInput, WorkInput

TEXT_FORMAT_CHOICES = (
    ("html", "Rich text (HTML)"),
    ("markdown", "Markdown"),
    ("plain", "Plain text"),
)
TAG_HELP = "Separate tags with commas."
# Tag type -> the form field that holds it (and sends its text to the suggestions endpoint).
TAG_FIELDS = {
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "additional": "additional_tags",
}


def split_names(text: str) -> list[str]:
    """ "Fluff, angst ,, Hurt/Comfort" -> ["Fluff", "angst", "Hurt/Comfort"] (the service drops duplicates)."""
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


def join_names(names: list[str]) -> str:
    return ", ".join(names)


def language_choices() -> list[tuple[str, str]]:
    ordered = sorted(LANGUAGES.items(), key=lambda item: item[1][0])
    return [
        (code, english if english == native else f"{english} – {native}")
        for code, (english, native) in ordered
    ]


def _text(label: str, *, rows: int = 4, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


def _line(label: str, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


class PostingForm(forms.Form):
    """Shared by the work and chapter forms: puts a service's error next to the field it names."""

    # PostingError.field -> form field, where the names differ; chapter_field_map for "chapters.N.<name>".
    field_map: dict[str, str] = {}
    chapter_field_map: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_posting_error(self, error: PostingError) -> None:
        name = error.field or ""
        if name.startswith("chapters."):  # "chapters.0.body": a field of the first chapter
            name = self.chapter_field_map.get(name.rsplit(".", 1)[-1], "")
        else:
            name = self.field_map.get(name, name)
        self.add_error(name if name in self.fields else None, error.message)


class WorkForm(PostingForm):
    """The work's details, in AO3's order. ``with_chapter`` adds the first chapter (the new-work form)."""

    rating = forms.ChoiceField(
        label="Rating", choices=[(r, r) for r in vocab.RATINGS], initial=vocab.NOT_RATED, required=False
    )
    warnings = forms.MultipleChoiceField(
        label="Archive Warnings",
        choices=[(w, w) for w in vocab.WARNINGS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"None chosen means “{vocab.CHOSE_NOT_TO_WARN}”, which can't be combined with the others.",
    )
    fandoms = _line("Fandoms", TAG_HELP + " At least one is needed.")
    categories = forms.MultipleChoiceField(
        label="Categories",
        choices=[(c, c) for c in vocab.CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    relationships = _line("Relationships", TAG_HELP + " A/B for romantic, A & B for platonic.")
    characters = _line("Characters", TAG_HELP)
    additional_tags = _line("Additional Tags", TAG_HELP)
    title = _line("Work Title", maxlength=255)
    summary = _text("Summary", rows=5, help_text="At most 1,250 characters.")
    notes = _text("Notes at the beginning", rows=4, help_text="At most 5,000 characters.")
    end_notes = _text("Notes at the end", rows=4, help_text="At most 5,000 characters.")
    text_format = forms.ChoiceField(
        label="Text format",
        choices=TEXT_FORMAT_CHOICES,
        initial="html",
        help_text="How to read the summary, notes and chapter text: HTML (AO3's limited set), Markdown or plain text.",
    )
    chapter_title = _line("Chapter title", "Optional.", maxlength=255)
    body = _text("Work text", rows=20, help_text="Required. At most 500,000 characters.")
    language = forms.ChoiceField(label="Language", choices=language_choices)
    series_title = _line("Add to series", "A series of yours with this title, or a new one.", maxlength=255)
    series_position = forms.IntegerField(label="Part number in the series", required=False, min_value=1)
    co_creators = _line(
        "Invite co-creators", "Usernames, separated by commas. They are credited once they accept."
    )
    gifts = _line("Gift this work to", "Usernames or names, separated by commas.")
    related_url = _line("Inspired by or translated from (URL)", "A work on this archive or elsewhere.")
    related_relation = forms.ChoiceField(
        label="Relation", choices=RelatedWork.Relation.choices, initial=RelatedWork.Relation.INSPIRED_BY
    )
    related_title = _line("Title of the related work", "For a work on another site.")
    related_creator = _line("Creator of the related work", "For a work on another site.")
    chapters_expected = forms.IntegerField(
        label="Chapters expected",
        required=False,
        min_value=1,
        initial=1,
        help_text="Leave empty if you don't know yet (shown as “?”). The work is complete when all are posted.",
    )
    published = forms.DateField(
        label="Set a different publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For a work first published elsewhere. Not in the future.",
    )
    restricted = forms.BooleanField(label="Only show this work to logged-in users", required=False)
    comment_permission = forms.ChoiceField(
        label="Who can comment",
        choices=CommentPermission.choices,
        initial=CommentPermission.EVERYONE,
        widget=forms.RadioSelect,
    )
    moderate_comments = forms.BooleanField(label="Approve comments before they appear", required=False)
    pseud_ids = forms.TypedMultipleChoiceField(
        label="Post as", coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    field_map = {"related": "related_url", "chapters": "body"}
    chapter_field_map = {"title": "chapter_title", "body": "body", "text_format": "text_format"}

    def __init__(
        self, *args: Any, user, with_chapter: bool = True, with_pseuds: bool = True, **kwargs: Any
    ) -> None:
        """``with_pseuds``: offer the poster's pseuds (not to staff editing someone else's work)."""
        super().__init__(*args, **kwargs)
        self.with_chapter = with_chapter
        self.fields["language"].initial = settings.DEFAULT_WORK_LANGUAGE
        if not with_chapter:
            del self.fields["chapter_title"], self.fields["body"]
            self.fields["chapters_expected"].initial = None
        pseuds = list(Pseud.objects.filter(user_id=user.pk).order_by("-is_default", "name"))
        if with_pseuds and len(pseuds) > 1:
            cast(forms.ChoiceField, self.fields["pseud_ids"]).choices = [(p.pk, p.name) for p in pseuds]
            self.fields["pseud_ids"].initial = [pseuds[0].pk]
        else:
            del self.fields["pseud_ids"]
        suggestions = reverse("works:tag_suggestions")
        for tag_type, name in TAG_FIELDS.items():
            self.fields[name].widget.attrs.update(
                {
                    "list": f"suggest-{tag_type}",
                    "autocomplete": "off",
                    "hx-get": f"{suggestions}?type={tag_type}",
                    "hx-trigger": "keyup changed delay:250ms",
                    "hx-target": f"#suggest-{tag_type}",
                    "hx-swap": "outerHTML",
                }
            )

    @property
    def tag_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(tag_type, self[name]) for tag_type, name in TAG_FIELDS.items()]

    @classmethod
    def initial_from(cls, data: WorkInput) -> dict[str, Any]:
        """Form values from a WorkInput (``posting.work_input_from``), for the edit form."""
        first = data.related[0] if data.related else None
        return {
            "rating": data.rating or vocab.NOT_RATED,
            "warnings": data.warnings,
            "categories": data.categories,
            "fandoms": join_names(data.fandoms),
            "relationships": join_names(data.relationships),
            "characters": join_names(data.characters),
            "additional_tags": join_names(data.additional_tags),
            "title": data.title,
            "summary": data.summary,
            "notes": data.notes,
            "end_notes": data.end_notes,
            "text_format": "html",
            "language": data.language,
            "series_title": data.series_title,
            "series_position": data.series_position,
            "co_creators": join_names(data.co_creators),
            "gifts": join_names(data.gifts),
            "related_url": first.url if first else "",
            "related_relation": first.relation if first else RelatedWork.Relation.INSPIRED_BY,
            "related_title": first.title if first else "",
            "related_creator": first.creator if first else "",
            "chapters_expected": data.chapters_expected,
            "published": data.published,
            "restricted": data.restricted,
            "comment_permission": data.comment_permission,
            "moderate_comments": data.moderate_comments,
            "pseud_ids": data.pseud_ids,
        }

    def _related(self, keep: list[RelatedInput]) -> list[RelatedInput]:
        """The one related work the form edits, then any others the work has (kept as they are)."""
        data = self.cleaned_data
        url = (data.get("related_url") or "").strip()
        first = (
            [
                RelatedInput(
                    url=url,
                    relation=data.get("related_relation") or RelatedWork.Relation.INSPIRED_BY,
                    title=data.get("related_title") or "",
                    creator=data.get("related_creator") or "",
                )
            ]
            if url
            else []
        )
        return first + keep[1:]

    def to_changes(self, *, keep_related: list[RelatedInput] | None = None) -> dict[str, Any]:
        """Every field as WorkInput values (``update_work`` skips those that did not change)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "title": data.get("title") or "",
            "rating": data.get("rating") or "",
            "warnings": list(data.get("warnings") or []),
            "categories": list(data.get("categories") or []),
            "fandoms": split_names(data.get("fandoms", "")),
            "relationships": split_names(data.get("relationships", "")),
            "characters": split_names(data.get("characters", "")),
            "additional_tags": split_names(data.get("additional_tags", "")),
            "summary": data.get("summary") or "",
            "notes": data.get("notes") or "",
            "end_notes": data.get("end_notes") or "",
            "text_format": data.get("text_format") or "html",
            "language": data.get("language") or settings.DEFAULT_WORK_LANGUAGE,
            "chapters_expected": data.get("chapters_expected"),
            "published": data.get("published"),
            "restricted": bool(data.get("restricted")),
            "comment_permission": data.get("comment_permission") or CommentPermission.EVERYONE,
            "moderate_comments": bool(data.get("moderate_comments")),
            "co_creators": split_names(data.get("co_creators", "")),
            "gifts": split_names(data.get("gifts", "")),
            "series_title": data.get("series_title") or "",
            "series_position": data.get("series_position"),
            "related": self._related(keep_related or []),
        }
        if "pseud_ids" in self.fields:
            changes["pseud_ids"] = list(data.get("pseud_ids") or [])
        return changes

    def to_work_input(self, *, draft: bool = False) -> WorkInput:
        changes = self.to_changes()
        chapter = ChapterInput(
            body=self.cleaned_data.get("body") or "",
            title=self.cleaned_data.get("chapter_title") or "",
            text_format=changes["text_format"],
        )
        return WorkInput(**changes, chapters=[chapter], draft=draft)


class ChapterForm(PostingForm):
    title = _line("Chapter title", "Optional.", maxlength=255)
    summary = _text("Chapter summary", rows=3, help_text="At most 1,250 characters.")
    notes = _text("Notes at the beginning", rows=3, help_text="At most 5,000 characters.")
    end_notes = _text("Notes at the end", rows=3, help_text="At most 5,000 characters.")
    text_format = forms.ChoiceField(label="Text format", choices=TEXT_FORMAT_CHOICES, initial="html")
    body = _text("Chapter text", rows=20, help_text="Required. At most 500,000 characters.")
    position = forms.TypedChoiceField(label="Position", coerce=int, required=False)

    def __init__(self, *args: Any, positions: int | None = None, **kwargs: Any) -> None:
        """``positions``: the places a new chapter can take (chapters + 1); None for an edit."""
        super().__init__(*args, **kwargs)
        if positions is None:
            del self.fields["position"]
        else:
            cast(forms.ChoiceField, self.fields["position"]).choices = [
                (n, f"Chapter {n}" + (" (at the end)" if n == positions else ""))
                for n in range(1, positions + 1)
            ]
            self.fields["position"].initial = positions

    def to_chapter_input(self) -> ChapterInput:
        data = self.cleaned_data
        return ChapterInput(
            body=data.get("body") or "",
            title=data.get("title") or "",
            summary=data.get("summary") or "",
            notes=data.get("notes") or "",
            end_notes=data.get("end_notes") or "",
            text_format=data.get("text_format") or "html",
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A story file: plain text (.txt), HTML (.html), an AO3 EPUB (.epub) or Markdown (.md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.text,.html,.htm,.xhtml,.epub,.md,.markdown"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
