"""The benchmark runs, reports every column, and skips missing tools with a message."""

from __future__ import annotations

import builtins
import json

from fanfold.downloads import bench, calibre


def test_bench_json_and_skips(monkeypatch, capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    real_import = builtins.__import__

    def no_fanficfare(name, *args, **kwargs):
        if name.startswith("fanficfare"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fanficfare)
    monkeypatch.setattr(calibre, "ebook_convert", lambda: None)
    assert bench.main(["--works", "3", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["works"] == 3
    assert result["fanfold_seconds"] > 0
    assert result["calibre_seconds"] is None and result["fanficfare_ratio"] is None
    assert "FanFicFare column skipped" in captured.err and "calibre column skipped" in captured.err


def test_fanficfare_epub_holds_the_same_text(tmp_path, settings):
    import pytest

    pytest.importorskip("fanficfare", reason="FanFicFare is not installed (the benchmark skips its column)")
    import zipfile

    settings.DATA_DIR = tmp_path
    book = bench.load_books(1)[0]
    bench._fanficfare_epub(book, tmp_path / "f.epub", story_id=1000)
    with zipfile.ZipFile(tmp_path / "f.epub") as epub:
        text = " ".join(
            epub.read(n).decode("utf-8", "replace") for n in epub.namelist() if n.endswith("html")
        )
    assert book.title in text
    assert book.chapters[0].body[3:40].split("<")[0] in text
