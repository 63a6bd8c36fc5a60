"""Every visible string in Chinese (issue 11 item 14): the crawl of every page, by each visitor (a citizen, a
reporter, staff of every role, discipline officers), finds no English word in what a person sees or hears.

Visible means the page's text outside scripts and styles, plus the attributes a person reads or a screen reader
speaks (title, placeholder, alt, aria-label, the value of buttons). The people's own data (user names, e-mail
addresses, file names) are taken out first; what is left may only be the few Latin names a Chinese user knows."""

import re
from html.parser import HTMLParser

import pytest

from dangjian.accounts.models import User
from dangjian.core.tests.test_pages import _visit_everything

pytestmark = pytest.mark.django_db

# Latin names a Chinese user reads as they are: file types and programs (WPS is Kingsoft's office suite), size units,
# "IP 地址". Keep this list short: every other word is a missing translation.
# X: the last character of an ID-card number may be X (身份证号最后一位可以是X).
# RSS, Atom: the news feeds' formats, named like PDF (publishing). MP4, WebM: video formats (a lesson's video).
ALLOWED = {
    "PDF",
    "Word",
    "Excel",
    "WPS",
    "JPEG",
    "PNG",
    "WebP",
    "ZIP",
    "KB",
    "MB",
    "IP",
    "X",
    "RSS",
    "Atom",
    "MP",
    "WebM",
    "PPT",
    "GBK",
    "UTF",
    "txt",
    "zip",
}
# A question's options are lettered A to H and a choice answer is written in those letters ("B", "ACD"), as on every
# Chinese exam paper (选项A, 答案：ACD).
OPTION_LETTERS = re.compile(r"[A-H]{1,8}")

SPOKEN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden: list[str] = []  # open elements whose text is not read: scripts, styles, translate="no" (a key)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self.hidden or tag in ("script", "style", "template") or values.get("translate") == "no":
            if tag not in VOID:
                self.hidden.append(tag)
            return
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _without_data(text: str, usernames: list[str]) -> str:
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    text = re.sub(r"https?://\S+", " ", text)  # addresses shown as text (e.g. a portal's link to copy)
    text = re.sub(r"[\w.-]+\.(?:pdf|jpe?g|png|docx?|xlsx?|csv)\b", " ", text, flags=re.I)  # file names
    for name in usernames:
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", " ", text)
    return text


def english_words(html: str, usernames: list[str]) -> set[str]:
    return {
        word
        for word in WORD.findall(_without_data(visible_text(html), usernames))
        if word not in ALLOWED and not OPTION_LETTERS.fullmatch(word)
    }


def test_visible_text_reader_ignores_scripts_and_reads_labels():
    html = '<p>受理<script>var x = "hello";</script></p><button aria-label="Close">×</button><input type="submit" value="Send">'
    assert english_words(html, []) == {"Close", "Send"}
    assert english_words('<p>密钥：<span translate="no">JBSW <b>Y3DP</b></span> 扫码</p>', []) == set()
    assert english_words("<p>下载 PDF 文件 报告.pdf，联系 a@b.cn，账号 county_admin</p>", ["county_admin"]) == set()
    assert english_words("<p>选项B 答案：ACD；WebM 或 MP4 视频</p>", []) == set()
    assert english_words("<p>答案 Bad, Head</p>", []) == {"Bad", "Head"}


def test_every_page_shows_chinese_only(county):
    visit = _visit_everything(county)
    assert len(visit.pages) > 200
    usernames = sorted(User.objects.values_list("username", flat=True), key=len, reverse=True)
    found: dict[str, list[str]] = {}
    for who, url, html in visit.pages:
        for word in english_words(html, usernames):
            found.setdefault(word, []).append(f"{who} {url}")
        # A question or a sentence used as a label gets no colon after it ("问题发生在哪里？：").
        text = re.sub(r"\s+", "", visible_text(html))
        for doubled in re.findall(r"[？?。!！:：][:：]", text):
            found.setdefault(doubled, []).append(f"{who} {url}")
    assert not found, f"{len(found)} English words or doubled marks on pages:\n" + "\n".join(
        f"{word!r} ({len(where)}×), e.g. {where[0]}" for word, where in sorted(found.items())
    )
