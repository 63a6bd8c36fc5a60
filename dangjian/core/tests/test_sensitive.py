"""The shared sensitive-word matcher (core/sensitive.py): every occurrence, full-width and case ignored, the
levels told apart, and a change of the list seen at once."""

import pytest

from dangjian.core import sensitive
from dangjian.core.models import SensitiveWord

pytestmark = pytest.mark.django_db

BLOCK, FLAG = SensitiveWord.Level.BLOCK, SensitiveWord.Level.FLAG


def test_an_empty_list_finds_nothing():
    assert sensitive.find("任何文字") == []


def test_every_occurrence_is_found_in_order_with_its_place():
    SensitiveWord.objects.create(word="赌博", level=BLOCK)
    SensitiveWord.objects.create(word="内部", level=FLAG)
    text = "严禁赌博。内部通知：再次严禁赌博。"
    hits = sensitive.find(text)
    assert [(h.word, h.level) for h in hits] == [("赌博", BLOCK), ("内部", FLAG), ("赌博", BLOCK)]
    assert [text[h.start : h.end] for h in hits] == ["赌博", "内部", "赌博"]
    assert sensitive.blocking(hits) == ["赌博"]
    assert sensitive.flagged(hits) == ["内部"]


def test_full_width_letters_and_case_do_not_hide_a_word():
    SensitiveWord.objects.create(word="abc", level=BLOCK)
    assert [h.word for h in sensitive.find("这是ＡＢＣ和Abc")] == ["abc", "abc"]


def test_overlapping_words_are_each_found():
    SensitiveWord.objects.create(word="法轮", level=BLOCK)
    SensitiveWord.objects.create(word="轮子", level=FLAG)
    assert {h.word for h in sensitive.find("法轮子")} == {"法轮", "轮子"}


def test_a_change_of_the_list_is_seen_at_once():
    assert sensitive.find("新词") == []
    word = SensitiveWord.objects.create(word="新词", level=FLAG)
    assert sensitive.flagged(sensitive.find("新词")) == ["新词"]
    word.level = BLOCK
    word.save()
    assert sensitive.blocking(sensitive.find("新词")) == ["新词"]
    word.delete()
    assert sensitive.find("新词") == []
