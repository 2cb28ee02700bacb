"""Every limit that keeps a hostile or broken import from eating the machine, in one place.

The parsers, the CLI and the upload view read them from here. The web upload limit also follows the
FANFOLD_MAX_UPLOAD_BYTES setting (settings.DATA_UPLOAD_MAX_MEMORY_SIZE), never above MAX_FILE_BYTES.
"""

from __future__ import annotations

MiB = 1024 * 1024

# Raw files
MAX_FILE_BYTES = 50 * MiB  # one file given to the importer (CLI or web)
MAX_TEXT_CHARS = 20 * MiB  # decoded text of one work
# Text parsers spend about 10 µs on each line; a long novel has tens of thousands.
MAX_LINES = 1_000_000

# EPUB (ZIP) archives: checked from the central directory before anything is decompressed
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_TOTAL_BYTES = 200 * MiB  # uncompressed, all members
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per member of at least ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 256 * 1024

# HTML and XML trees
MAX_ELEMENTS = 2_000_000
MAX_DEPTH = 500  # libxml2 itself stops at 256 levels while huge_tree is off

# Markdown bodies: markdown-it-py spends up to ~70 µs on each character that can start a token (line
# ends, brackets, stars, pipes...), so this bounds the conversion to about 15 seconds. A long novel has
# a few tens of thousands; the web form's limit per field is core.html.MAX_MARKDOWN_MARKUP.
MAX_MARKDOWN_MARKUP = 200_000


def max_upload_bytes(configured: int | None = None) -> int:
    """The largest file the upload form accepts: the configured limit, never above MAX_FILE_BYTES."""
    if configured is None:
        from django.conf import settings

        configured = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(int(configured or MAX_FILE_BYTES), MAX_FILE_BYTES)
