from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from fanfold.core.html import html_to_text, is_divider, sanitize, text_to_html
from fanfold.core.text import count_words


def test_paragraphs_and_scene_breaks_blank_line_style():
    text = "One para\nstill one.\n\nTwo.\n\n\nThree after a break.\n"
    assert (
        text_to_html(text)
        == '<p>One para<br>still one.</p>\n<p>Two.</p>\n<hr class="scene-break">\n<p>Three after a break.</p>'
    )


def test_line_per_paragraph_style_and_dividers():
    text = "First.\nSecond.\nThird.\n\nFourth.\n* * *\nFifth."
    html = text_to_html(text)
    assert html.count("<p>") == 5
    assert html.count("scene-break") == 2


def test_emphasis_and_escaping():
    assert text_to_html("She was *very* sure <b>not</b> _this_.") == (
        "<p>She was <em>very</em> sure &lt;b&gt;not&lt;/b&gt; <em>this</em>.</p>"
    )


def test_sanitize_removes_scripts_and_handlers():
    dirty = '<p style="color:red" onclick="x()">Hi<script>alert(1)</script><a href="javascript:x()">l</a></p>'
    assert sanitize(dirty) == '<p>Hi<a rel="nofollow noopener noreferrer">l</a></p>'


def test_word_count_like_ao3():
    assert count_words("It’s a well-known fact, isn't it?") == 6
    assert count_words("日本語 and 中文") == 6
    assert count_words("สวัสดี") == 6


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_to_html_never_raises_and_is_safe(text):
    html = text_to_html(text)
    assert "<script" not in html.lower()
    # Every letter and digit outside divider lines survives the round trip through HTML.
    kept = Counter(c for c in html_to_text(html) if c.isalnum())
    expected = Counter(c for line in text.splitlines() if not is_divider(line) for c in line if c.isalnum())
    assert not expected - kept
