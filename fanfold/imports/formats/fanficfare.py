"""FanFicFare's TXT output (its ``txt`` writer with the default ``[txt]`` settings).

Layout, as FanFicFare writes it (CRLF line ends, the front matter word-wrapped at 78 columns
with Python's textwrap, so a long value continues on the following unindented lines)::

    <title>

    by <author>

    Label: value              one line per non-empty entry, in the configured order:
    ...                       Series, Series URL, Category, Genre, Language, Characters,
                              Relationships, Status, Published, Updated, Packaged, Rating,
                              Warnings, Chapters, Words, Publisher, Story URL, Author URL,
                              Summary (plain text), then any extra entries a user configured


    TABLE OF CONTENTS         only when there are two or more chapters

    <chapter title>

    <chapter title>


    <TAB><chapter title>      the TAB becomes 8 spaces when the line is wrapped

    <chapter text>            html2text output: markdown-ish, wrapped at 78 columns,
                              paragraphs separated by a blank line, "* * *" for <hr>,
                              "  " at the end of a line for <br>
    ...

    End file.

FanFicFare's entries are one tag each, so ``tags_are_exact`` is set.
"""

from __future__ import annotations

import re

from fanfold.core.html import is_divider, text_to_html
from fanfold.imports.formats.common import clean_value, decode_text
from fanfold.imports.formats.dates import set_work_date
from fanfold.imports.parsed import ImportFailed, ParsedChapter, ParsedSeries, ParsedWork

SOURCE_FORMAT = "fanficfare"
WRAP_WIDTH = 78  # FanFicFare's default wrap_width for txt
_SNIFF_CHARS = 64 * 1024
_MAX_PATTERN_INPUT = 500  # longer values are not a series or crossover name; keeps the regexes linear

# The default title page entries of the [txt] section, in order.
STANDARD_LABELS = (
    "Series", "Series URL", "Category", "Genre", "Language", "Characters", "Relationships", "Status",
    "Published", "Updated", "Packaged", "Rating", "Warnings", "Chapters", "Words", "Publisher",
    "Story URL", "Author URL", "Summary",
)  # fmt: skip
# Labels that only FanFicFare writes; a LiveJournal header would not.
_FFF_ONLY_LABELS = {"Packaged", "Story URL", "Publisher", "Author URL", "Series URL"}
# Labels that may follow the Summary (a user's extra_titlepage_entries; AO3's extras mostly).
_EXTRA_LABELS = {
    "Fandoms", "Freeform Tags", "AO3 Categories", "Comments", "Kudos", "Hits", "Bookmarks",
    "Collections", "Chapters/Total Chapters", "Total Chapters", "Additional Series", "Extra Tags",
    "Story ID", "Author ID", "Site Abbrev", "File Format", "File Extension", "Downloader Version",
    "Title", "Author", "Reviews", "Favs", "Follows",
}  # fmt: skip

_LIST_FIELDS = ("fandoms", "genres", "additional_tags", "characters", "relationships", "warnings")
_LABEL_LINE = re.compile(r"^(?P<label>[A-Z][A-Za-z0-9 /'()\-]{0,40}?):(?: (?P<value>.*))?$")
_SNIFF_LABEL = re.compile(r"(?m)^([A-Z][A-Za-z0-9 /]{1,30}): ")
_TOC_LINE = "TABLE OF CONTENTS"
_HEADING_INDENT = re.compile(r"^(?:\t| {8})\S")
# html2text escapes markdown characters with a backslash: "\*", "1\.", "\-".
_H2T_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_LIST_ITEM = re.compile(r"^\s*(?:[*+\-]|\d+\.)\s")
_CROSSOVER = re.compile(r"^(?P<a>.+?)\s+\+\s+(?P<b>.+?)\s+Crossover$", re.IGNORECASE)
_SERIES = re.compile(r"^(?P<name>.+?)\s*\[(?P<pos>\d{1,4})\]$")


# --- public API ------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> int:
    """95 with a TABLE OF CONTENTS and FanFicFare-only labels, 90 for a one-chapter file."""
    try:
        text = decode_text(data[: _SNIFF_CHARS * 4])
    except ImportFailed:
        return 0
    return score_text(text)


def score_text(text: str) -> int:
    """How sure we are that decoded text is FanFicFare TXT (0-95); the plaintext sniffer defers to it."""
    head = text[:_SNIFF_CHARS]
    labels = set(_SNIFF_LABEL.findall(head))
    fff_only = labels & _FFF_ONLY_LABELS
    standard = labels & set(STANDARD_LABELS)
    has_toc = re.search(r"(?m)^TABLE OF CONTENTS[ \t]*$", head) is not None
    has_byline = re.search(r"(?m)^by \S", head[:4000]) is not None
    if has_toc and fff_only:
        return 95
    if fff_only and len(standard) >= 3 and has_byline:
        return 90
    if len(fff_only) >= 2 and len(standard) >= 3:
        return 60
    if has_toc and has_byline and len(standard) >= 2:
        return 60
    return 0


def parse(data: bytes, filename: str = "") -> ParsedWork:
    lines = decode_text(data).split("\n")
    work = ParsedWork(source_format=SOURCE_FORMAT, tags_are_exact=True)

    i = _skip_blank(lines, 0)
    if i < len(lines) and not _LABEL_LINE.match(lines[i]):
        block, i = _block(lines, i)
        work.title = clean_value(" ".join(block))
        i = _skip_blank(lines, i)
        if i < len(lines) and lines[i].startswith("by "):
            block, i = _block(lines, i)
            work.creators = _split_names(" ".join(block)[3:])

    i = _skip_blank(lines, i)
    header_end = _header_end(lines, i)
    _apply_entries(work, _read_entries(lines[i:header_end]))

    toc_titles: list[str] = []
    i = header_end
    if i < len(lines) and lines[i].strip() == _TOC_LINE:
        toc_titles, i = _read_toc(lines, i + 1)
    work.chapters = _read_chapters(lines, i, toc_titles)
    if not any(chapter.body for chapter in work.chapters):
        raise ImportFailed("the FanFicFare file has no chapter text")
    return work


# --- front matter ----------------------------------------------------------------


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _block(lines: list[str], i: int) -> tuple[list[str], int]:
    """The non-blank lines from i on, and the index after them."""
    start = i
    while i < len(lines) and lines[i].strip():
        i += 1
    return [line.strip() for line in lines[start:i]], i


def _header_end(lines: list[str], i: int) -> int:
    """Where the title page ends: TABLE OF CONTENTS, a chapter heading, or three blank lines."""
    start, blanks = i, 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blanks += 1
            if blanks >= 3:
                return _skip_blank(lines, i)
        else:
            if line.strip() == _TOC_LINE or ((blanks or i == start) and _HEADING_INDENT.match(line)):
                return i
            blanks = 0
        i += 1
    return i


def _read_entries(lines: list[str]) -> list[tuple[str, str]]:
    """(label, value) pairs; wrapped values are joined, blank lines inside a value kept as paragraphs."""
    width = WRAP_WIDTH if all(len(line) <= WRAP_WIDTH for line in lines) else None
    entries: list[tuple[str, list[str]]] = []
    previous = ""  # the raw line before this one ("" when blank)
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if entries:
                entries[-1][1].append("")
            previous = ""
            continue
        match = _LABEL_LINE.match(line)
        if match and _starts_entry(
            match.group("label"), entries[-1][0] if entries else "", previous, line, width
        ):
            entries.append((match.group("label"), [(match.group("value") or "").strip()]))
        elif entries:
            entries[-1][1].append(stripped)
        else:
            entries.append(("", [stripped]))  # text before the first label: kept, not lost
        previous = line
    return [
        (label, _join_wrapped(parts, glue="" if label.endswith("URL") else " ")) for label, parts in entries
    ]


def _starts_entry(label: str, current: str, previous: str, line: str, width: int | None) -> bool:
    """Whether a "Label: value" line starts an entry or continues the current (wrapped) value."""
    # textwrap fills greedily: had the first word fitted on the previous line, it would be there.
    wrapped = bool(previous and width and len(previous) + 1 + len(line.split()[0]) > width)
    if current == "Summary":
        # A summary may well contain "Warning: …"; only labels that come after it end it.
        return label in _EXTRA_LABELS and not wrapped
    if label in STANDARD_LABELS:
        return True
    return not wrapped


def _join_wrapped(parts: list[str], glue: str = " ") -> str:
    """Undo textwrap: lines joined with a space (nothing inside URLs, which it cuts anywhere,
    nor after a hyphen it broke at); a blank line separates paragraphs."""
    paragraphs: list[str] = [""]
    for part in parts:
        if not part:
            if paragraphs[-1]:
                paragraphs.append("")
        elif not paragraphs[-1]:
            paragraphs[-1] = part
        elif glue and not re.search(r"\w-$", paragraphs[-1]):
            paragraphs[-1] = f"{paragraphs[-1]}{glue}{part}"
        else:
            paragraphs[-1] += part
    return "\n\n".join(p for p in paragraphs if p).strip()


def _apply_entries(work: ParsedWork, entries: list[tuple[str, str]]) -> None:
    ao3_categories: list[str] = []
    kept: dict[str, list[str]] = {}  # becomes work.unmapped
    for label, value in entries:
        if not value:
            continue
        if label == "Category":
            for item in _split(value):
                crossover = _CROSSOVER.match(item) if len(item) <= _MAX_PATTERN_INPUT else None
                if crossover:
                    _extend(work.fandoms, [crossover.group("a"), crossover.group("b")])
                elif item.casefold() == "crossover":
                    _extend(work.genres, [item])
                else:
                    _extend(work.fandoms, [item])
        elif label == "Fandoms":
            _extend(work.fandoms, _split(value))
        elif label == "Genre":
            _extend(work.genres, _split(value))
        elif label == "AO3 Categories":
            ao3_categories += _split(value)
        elif label == "Freeform Tags":
            _extend(work.additional_tags, _split(value))
        elif label == "Characters":
            characters, pairings = split_ffn_characters(value)
            _extend(work.characters, characters)
            _extend(work.relationships, pairings)
        elif label == "Relationships":
            _extend(work.relationships, _split(value))
        elif label == "Warnings":
            _extend(work.warnings, _split(value))
        elif label == "Rating" and not work.rating:
            work.rating = re.sub(r"^Fiction\s+", "", clean_value(value), flags=re.IGNORECASE)
        elif label == "Language" and not work.language:
            work.language = clean_value(value)
        elif label == "Summary" and not work.summary:
            work.summary = text_to_html(value)
        elif label == "Story URL" and not work.source_url:
            work.source_url = clean_value(value)
        elif not _apply_single(work, label, value):
            kept.setdefault(label or "Title page", []).append(value)  # Words, Publisher, Packaged, …

    for name in _LIST_FIELDS:
        setattr(work, name, list(dict.fromkeys(getattr(work, name))))
    work.unmapped = {label: "\n".join(values) for label, values in kept.items()}
    if ao3_categories:
        # AO3 downloads fold the categories into Genre as well; keep them out of the genres.
        work.categories = list(dict.fromkeys(ao3_categories))
        work.genres = [g for g in work.genres if g not in work.categories]
    # The chapter count says how many chapters the work will have only once it is complete.
    chapters = work.unmapped.get("Chapters", "")
    if work.complete and chapters.isdigit():
        work.chapters_expected = int(chapters)
        del work.unmapped["Chapters"]


def split_ffn_characters(value: str) -> tuple[list[str], list[str]]:
    """FanFiction.Net style "[Sakura H., Sasuke U.] Naruto U." -> (characters, ["Sakura H./Sasuke U."])."""
    characters: list[str] = []
    pairings: list[str] = []
    for group in re.findall(r"\[([^\[\]]*)\]", value):
        names = _split(group)
        if len(names) >= 2:
            pairings.append("/".join(names))
        characters += names
    characters += _split(re.sub(r"\[[^\[\]]*\]", ",", value))
    return list(dict.fromkeys(characters)), pairings


def _apply_single(work: ParsedWork, label: str, value: str) -> bool:
    """Series, Status and dates; False when the value is not one we can read."""
    if label == "Series":
        series = clean_value(value)
        match = _SERIES.match(series) if len(series) <= _MAX_PATTERN_INPUT else None
        if match:
            work.series.append(ParsedSeries(match.group("name"), int(match.group("pos"))))
        return match is not None
    if label == "Status" and value.casefold() in {"completed", "complete"}:
        work.complete = True
        return True
    if label == "Status" and value.casefold() in {"in-progress", "in progress"}:
        work.complete = False
        return True
    if label in {"Published", "Updated"}:
        return set_work_date(work, label.lower(), value)
    return False


# --- table of contents and chapters ---------------------------------------------


def _read_toc(lines: list[str], i: int) -> tuple[list[str], int]:
    """Chapter titles, one block each (wrapped titles joined); the TOC ends at two blank lines."""
    titles: list[str] = []
    i = _skip_blank(lines, i)
    while i < len(lines) and lines[i].strip() and not _HEADING_INDENT.match(lines[i]):
        block, i = _block(lines, i)
        titles.append(clean_value(" ".join(block)))
        if i + 1 < len(lines) and not lines[i + 1].strip():
            break  # two blank lines: the chapters start
        i = _skip_blank(lines, i)
    return titles, i


def _read_chapters(lines: list[str], start: int, toc_titles: list[str]) -> list[ParsedChapter]:
    headings = _find_toc_headings(lines, start, toc_titles) if toc_titles else []
    if not headings:
        headings = _find_indented_headings(lines, start)
    if not headings:
        return [ParsedChapter(body=_chapter_html(_drop_end_marker(lines[start:])))]
    chapters = []
    for n, (_, end, title) in enumerate(headings):
        stop = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        body_lines = lines[end:stop]
        if n + 1 == len(headings):
            body_lines = _drop_end_marker(body_lines)
        chapters.append(ParsedChapter(title=title, body=_chapter_html(body_lines)))
    # Text between the TOC and the first heading should not exist; keep it rather than lose it.
    stray = "\n".join(lines[start : headings[0][0]]).strip()
    if stray:
        chapters[0].notes = text_to_html(stray)
    return chapters


def _find_toc_headings(lines: list[str], start: int, titles: list[str]) -> list[tuple[int, int, str]]:
    """(first line, line after, title) of each chapter heading, found in TOC order; [] if any is missing."""
    headings = []
    i = start
    for title in titles:
        found = None
        while i < len(lines) and found is None:
            end = _match_heading(lines, i, title)
            if end is not None:
                found = (i, end, title)
            i += 1
        if found is None:
            return []
        headings.append(found)
        i = found[1]
    return headings


def _match_heading(lines: list[str], i: int, title: str) -> int | None:
    """If lines[i:] start with the (possibly wrapped) heading for title, the index after it."""
    line = lines[i]
    if not line.strip() or not (_HEADING_INDENT.match(line) or _blank_before(lines, i) >= 2):
        return None
    text = clean_value(line)
    j = i + 1
    while text != title and title.startswith(text) and j < len(lines) and lines[j].strip():
        text = f"{text} {clean_value(lines[j])}"
        j += 1
    return j if text == title else None


def _find_indented_headings(lines: list[str], start: int) -> list[tuple[int, int, str]]:
    """Chapter headings without a TOC: an indented line after two blank lines (one chapter files)."""
    headings = []
    i = start
    while i < len(lines):
        if _HEADING_INDENT.match(lines[i]) and (i == start or _blank_before(lines, i) >= 2):
            block, end = _block(lines, i)
            headings.append((i, end, clean_value(" ".join(block))))
            i = end
        else:
            i += 1
    return headings


def _blank_before(lines: list[str], i: int) -> int:
    count = 0
    while i - count - 1 >= 0 and not lines[i - count - 1].strip():
        count += 1
    return count


def _drop_end_marker(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and lines[end - 1].strip() == "End file.":
        end -= 1
    return lines[:end]


def _chapter_html(lines: list[str]) -> str:
    """html2text's output back to paragraphs: soft wraps joined, "  " line ends kept as breaks."""
    out: list[str] = []
    # The paragraph's pieces and separators, joined once at its end: growing one string line by line
    # is quadratic, minutes for a file that is one long paragraph.
    paragraph: list[str] = []
    hard_break = False
    for raw in lines:
        line = _H2T_ESCAPE.sub(r"\1", raw.rstrip("\r"))
        stripped = line.strip()
        if not stripped:
            if paragraph:
                out.append("".join(paragraph))
                paragraph = []
            out.append("")
            continue
        starts_new = is_divider(stripped) or bool(_LIST_ITEM.match(line))
        if paragraph:
            paragraph.append("\n" if hard_break or starts_new else " ")
        paragraph.append(stripped)
        hard_break = line.endswith("  ") or is_divider(stripped)
    if paragraph:
        out.append("".join(paragraph))
    return text_to_html("\n".join(out))


# --- small helpers ---------------------------------------------------------------


def _split(value: str) -> list[str]:
    """FanFicFare joins list entries with ", "."""
    return [item for item in (clean_value(part) for part in value.split(",")) if item]


def _split_names(value: str) -> list[str]:
    parts = re.split(r",| & | and ", clean_value(value))  # spaces collapsed first: linear time
    return [name for name in (clean_value(p) for p in parts) if name]


def _extend(target: list[str], values: list[str]) -> None:
    target.extend(value for value in values if value)  # duplicates go at the end, in one pass
