"""An archive filled with the XSS corpus through every user-supplied field, for the render tests.

Everything is written through the same services the HTML views, the API and the CLI use, so what the
pages show is exactly what a hostile member could have stored. Fields that refuse a payload (a title
too long, a name with characters names may not hold) get a harmless value instead; the refusals are
kept so a test can check that most payloads got through.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.urls import reverse

from fanfold.security import load_payloads

FANDOM = "Hostile Harbour (Original Work)"
SAFE_TEXT = "<p>The harbour was quiet that night.</p>"
FIXTURES = Path(__file__).resolve().parents[1] / "imports" / "tests" / "fixtures"


@dataclass
class HostileArchive:
    author: Any
    reader: Any
    works: list[Any] = field(default_factory=list)
    imported: list[Any] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "field: message" for payloads a field refused
    import_failures: list[str] = field(default_factory=list)

    def public_urls(self) -> list[str]:
        """Pages anyone may see that show stored payloads, plus payloads reflected from the URL."""
        from fanfold.accounts.models import Pseud
        from fanfold.social.models import Comment
        from fanfold.tags.models import Tag
        from fanfold.works.models import Series

        urls = ["/", "/works/", reverse("profiles:detail", args=[self.reader.username])]
        urls.append(reverse("works:user_works", args=[self.author.username]))
        urls.append(reverse("social:user_bookmarks", args=[self.reader.username]))
        pages = -(-len(self.works) // 20)
        urls += [f"/works/?page={n}" for n in range(2, pages + 1)]
        urls += [f"{reverse('social:user_bookmarks', args=[self.reader.username])}?page={n}" for n in (2, 3)]
        for work in self.works:
            urls.append(reverse("works:detail", args=[work.pk]))
        big = self.works[0]
        urls.append(reverse("works:detail", args=[big.pk]) + "?view_full_work=true")
        urls += [reverse("works:chapter", args=[big.pk, n]) for n in range(1, 4)]
        urls += [reverse("social:comment", args=[c.pk]) for c in Comment.objects.filter(work=big)[:10]]
        tags = Tag.objects.filter(works__in=[w.pk for w in self.works]).distinct().order_by("pk")
        for n, tag in enumerate(tags):
            urls.append(reverse("tags:detail", args=[tag.name]))
            if n % 10 == 0:  # a tag's works page repeats the blurbs checked on /works/: a sample will do
                urls.append(reverse("tags:works", args=[tag.name]))
        urls += [reverse("works:series", args=[s.pk]) for s in Series.objects.all()]
        urls += [reverse("works:pseud_works", args=[p.pk]) for p in Pseud.objects.filter(user=self.reader)]
        urls += [f"/works/?q={_quote(p)}" for p in load_payloads()]
        urls += [f"/works/?{_quote(p)}={_quote(p)}&page={_quote(p)}" for p in load_payloads()[:20]]
        return list(dict.fromkeys(urls))

    def author_urls(self) -> list[str]:
        """Pages only the creator sees: edit forms hold payloads inside attributes and textareas."""
        urls = [reverse("works:drafts"), reverse("works:import_upload"), reverse("works:new")]
        for work in [*self.works[:40], *self.imported]:
            urls.append(reverse("works:edit", args=[work.pk]))
            urls.append(reverse("works:detail", args=[work.pk]))
        big = self.works[0]
        urls.append(reverse("works:chapters_manage", args=[big.pk]))
        urls += [reverse("works:chapter_edit", args=[big.pk, n]) for n in range(1, 6)]
        urls.append(reverse("social:comment_queue", args=[big.pk]))
        return urls

    def reader_urls(self) -> list[str]:
        from fanfold.accounts.models import Pseud

        urls = [reverse("social:bookmarks"), reverse("accounts:pseuds"), reverse("accounts:dashboard")]
        urls += [f"{reverse('social:bookmarks')}?page={n}" for n in range(2, 10)]
        urls += [
            reverse("accounts:pseud_edit", args=[p.pk]) for p in Pseud.objects.filter(user=self.reader)[:30]
        ]
        urls += [f"{reverse('accounts:reading_settings')}?next={_quote(p)}" for p in load_payloads()[:30]]
        return urls


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _tag(payload: str) -> str:
    # Tag fields split on commas; a tag may hold 150 characters.
    return payload.replace(",", " ")[:150] or "x"


def _post_tolerant(user, data, refused: list[str]):
    """post_work, replacing each field that refuses its payload with a harmless value."""
    from fanfold.works import posting
    from fanfold.works.posting_rules import PostingError

    safe_chapter = posting.ChapterInput(body=SAFE_TEXT)
    for _ in range(12):
        try:
            return posting.post_work(user, data)
        except PostingError as error:
            refused.append(f"{error.field}: {error.message[:100]}")
            name = (error.field or "").split(".")[0]
            if name == "chapters" or (name in {"body", "title"} and error.message.startswith("Chapter")):
                index = int(error.field.split(".")[1]) if error.field and error.field.count(".") >= 2 else 0
                chapters = list(data.chapters)
                chapters[index] = safe_chapter
                data = replace(data, chapters=chapters)
            elif name == "title":
                data = replace(data, title="Harbour")
            elif name in {"summary", "notes", "end_notes", "series_title"}:
                data = replace(data, **{name: ""})
            elif name in {"relationships", "characters", "additional_tags", "fandoms", "gifts"}:
                data = replace(data, **{name: [FANDOM] if name == "fandoms" else []})
            else:
                raise
    raise AssertionError(f"post_work kept refusing: {refused[-3:]}")


def hostile_files(payloads: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """Import files of every format with payloads in the title, tags, summary, notes and text,
    raw (parsed as markup by the importer) and escaped (kept as literal text with angle brackets)."""
    files: list[tuple[str, bytes]] = []
    for n, (lo, hi) in enumerate(((0, 40), (40, 80), (80, 120), (120, len(payloads)))):
        chunk = payloads[lo:hi]
        head = chunk[0]
        for variant, enc in (("raw", lambda s: s), ("escaped", html.escape)):
            body_html = "\n".join(f"<p>{enc(p)}</p>" for p in chunk) + SAFE_TEXT
            body_text = "\n\n".join(chunk) + "\n\nThe harbour was quiet that night."
            files.append(
                (f"hostile_{n}_{variant}.html", _ao3_html(enc(head), [enc(p) for p in chunk[1:6]], body_html))
            )
            files.append(
                (
                    f"hostile_{n}_{variant}.epub",
                    _epub(_ao3_html(enc(head), [enc(p) for p in chunk[1:6]], body_html)),
                )
            )
        files.append((f"hostile_{n}.txt", _plaintext(chunk, body_text)))
        files.append((f"hostile_{n}_ffn.txt", _fanficfare(chunk, body_text)))
        files.append((f"hostile_{n}.md", _frontmatter(chunk, body_text)))
    return files


def _ao3_html(title: str, tags: list[str], body: str) -> bytes:
    text = (FIXTURES / "ao3_single_chapter.html").read_text(encoding="utf-8")
    text = text.replace("Nine Knots", title)
    text = text.replace(">Knot-tying<", ">" + "</a>, <a href='x'>".join(tags) + "<")
    text = text.replace(">Tobias Wren<", f">{tags[0]}<")
    text = text.replace(
        "<p>Tobias learns nine knots and forgets one.</p>", "".join(f"<p>{t}</p>" for t in tags)
    )
    start = text.index('<div class="userstuff">\n      <p>The first knot')
    end = text.index("</div>", start)
    return (text[:start] + '<div class="userstuff">' + body + text[end:]).encode("utf-8")


def _plaintext(chunk: tuple[str, ...], body: str) -> bytes:
    one = [p.replace("\n", " ") for p in chunk]
    header = (
        f"Title: {one[0]}\nAuthor: {one[1]}\nFandoms: {one[2]}\nPairings: {one[3]}\nCharacters: {one[4]}\n"
        f"Tags: {one[5]}\nDisclaimer: {one[6]}\nSeries: {one[7]}, Part 2\nSummary: {one[8]}\nA/N: {one[9]}\n\n\n"
    )
    return (header + body).encode("utf-8")


def _fanficfare(chunk: tuple[str, ...], body: str) -> bytes:
    text = (FIXTURES / "fanficfare_single.txt").read_text(encoding="utf-8")
    one = [p.replace("\n", " ") for p in chunk]
    for old, new in (
        ("Snowmelt", one[0]),
        ("Aster Finch", one[1]),
        ("The Glass Orchard", one[2]),
        ("Senna Ilves/Tamsin Ode", one[3]),
        ("Hurt/Comfort", one[4]),
        ("The thaw comes late to the orchard.", one[5]),
        ("this is the second of four.", one[6]),
    ):
        text = text.replace(old, new)
    start = text.index("The first drip")
    end = text.index("End file.")
    return (text[:start] + body + "\n\n" + text[end:]).encode("utf-8")


def _frontmatter(chunk: tuple[str, ...], body: str) -> bytes:
    def q(value: str) -> str:
        return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar

    header = (
        f"---\ntitle: {q(chunk[0])}\nauthors: [{q(chunk[1])}]\nfandoms: [{q(chunk[2])}]\n"
        f"pairings: [{q(chunk[3])}]\ncharacters: [{q(chunk[4])}]\ntags: [{q(chunk[5])}, {q(chunk[6])}]\n"
        f"summary: {q(chunk[7])}\nstart_note: {q(chunk[8])}\nend_notes: {q(chunk[9])}\n"
        f"series:\n  name: {q(chunk[10])}\n  position: 1\n---\n\n"
    )
    return (header + body).encode("utf-8")


_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)
_OPF = (
    '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
    'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>Harbour</dc:title><dc:language>en</dc:language></metadata>"
    '<manifest><item href="text.xhtml" id="t" media-type="application/xhtml+xml"/></manifest>'
    '<spine><itemref idref="t"/></spine></package>'
)


def _epub(document: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", _CONTAINER, zipfile.ZIP_DEFLATED)
        archive.writestr("content.opf", _OPF, zipfile.ZIP_DEFLATED)
        archive.writestr("text.xhtml", document, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def build(
    payloads: tuple[str, ...] | None = None,
    *,
    username: Callable[[str], str] = lambda role: f"hostile_{role}",
) -> HostileArchive:
    """Post the corpus through every field: works, chapters, tags, series, gifts, comments (signed in and
    guest), bookmarks, pseuds, and imported files of every format."""
    from fanfold.accounts.models import Pseud, User
    from fanfold.accounts.services import AccountError, create_pseud
    from fanfold.social.services import SocialError, create_bookmark, post_comment
    from fanfold.tags import vocabulary as vocab
    from fanfold.tags.services import ensure_fixed_tags
    from fanfold.works import posting
    from fanfold.works.posting_rules import PostingError

    payloads = payloads or load_payloads()
    ensure_fixed_tags()
    author = User.objects.create_user(username("author"), email="xss-author@example.org", password="x-Pw-1")
    reader = User.objects.create_user(username("reader"), email="xss-reader@example.org", password="x-Pw-2")
    for user in (author, reader):
        Pseud.objects.create(user=user, name=user.username, is_default=True)
    archive = HostileArchive(author=author, reader=reader)

    formats = ("html", "markdown", "plain")
    # One large work: every payload as a chapter (title, summary, notes, text) and in its notes.
    chapters = [
        posting.ChapterInput(
            body=f"{p}\n\n{SAFE_TEXT}", title=p, summary=p, notes=p, end_notes=p, text_format=formats[i % 3]
        )
        for i, p in enumerate(payloads)
    ]
    big = posting.WorkInput(
        title=payloads[0],
        fandoms=[FANDOM],
        rating=vocab.GENERAL,
        warnings=[vocab.NO_WARNINGS],
        summary="\n".join(payloads[:8]),
        notes="\n".join(payloads[:40]),
        end_notes="\n".join(payloads[40:80]),
        additional_tags=[_tag(p) for p in payloads[:70]],
        chapters=chapters,
        chapters_expected=len(chapters),
    )
    archive.works.append(_post_tolerant(author, big, archive.refused))
    # One small work per payload: titles, tags of each type, series titles and gift names.
    for i, p in enumerate(payloads):
        data = posting.WorkInput(
            title=p,
            fandoms=[FANDOM, _tag(p)] if i % 4 == 0 else [FANDOM],
            rating=vocab.GENERAL,
            warnings=[vocab.NO_WARNINGS],
            relationships=[_tag(p)] if i % 4 == 1 else [],
            characters=[_tag(p)] if i % 4 == 2 else [],
            additional_tags=[_tag(p)] if i % 4 == 3 else [],
            summary=p,
            notes=p,
            end_notes=p,
            text_format=formats[i % 3],
            chapters=[posting.ChapterInput(body=f"{p}\n\n{SAFE_TEXT}", text_format=formats[i % 3])],
            chapters_expected=1,
            series_title=p if i % 5 == 0 else "",
            gifts=[p[:100]] if i % 7 == 0 else [],
        )
        archive.works.append(_post_tolerant(author, data, archive.refused))
    # Comments (signed in and as a guest, whose name is free text), bookmarks and pseuds.
    for i, p in enumerate(payloads):
        work = archive.works[i % 3] if i < 60 else archive.works[1 + i]
        try:
            post_comment(work, p + "\n\n" + SAFE_TEXT, user=reader)
        except SocialError as error:
            archive.refused.append(f"comment: {error}")
        try:
            post_comment(work, SAFE_TEXT + p, guest_name=p[:100] or "x", guest_email="g@example.org")
        except SocialError as error:
            archive.refused.append(f"guest comment: {error}")
        try:
            create_bookmark(reader, archive.works[1 + i], notes=p, tags=[_tag(p)])
        except SocialError as error:
            archive.refused.append(f"bookmark: {error}")
        try:
            create_pseud(reader, f"Harbour Pseud {i}", description=p)
        except AccountError as error:
            archive.refused.append(f"pseud: {error}")
    # Imported files of every format, raw and escaped.
    for name, content in hostile_files(payloads):
        try:
            archive.imported.append(posting.import_upload(author, content, name))
        except PostingError as error:
            archive.import_failures.append(f"{name}: {error.message}")
    return archive
