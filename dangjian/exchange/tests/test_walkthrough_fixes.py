"""Fixes from a walk-through on a 390 px phone: a refused post's reason beside the composer with the text kept, and
the other small fixes below."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.models import ChangeRecord, SensitiveWord
from dangjian.exchange import actions, live, moderation, notices, questions, room_actions
from dangjian.exchange.models import Message, Report, Room
from dangjian.exchange.tests.test_moderation import Scene
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f


@pytest.fixture
def room(county):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    made = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    return made, alice, bob


@override_settings(EXCHANGE_MESSAGE_MAX_CHARS=10)
def test_a_refused_post_shows_its_reason_above_the_composer_and_keeps_the_text(client, room):
    made, alice, _bob = room
    client.force_login(alice)
    typed = "村里的路灯坏了三盏，请尽快修"
    response = client.post(reverse("exchange:room_post", args=[made.pk]), {"body": typed})
    assert response.status_code == 400
    html = response.content.decode()
    alert = re.search(r'<p class="composer-error[^"]*" role="alert"[^>]*>([^<]+)</p>', html)
    assert alert is not None and "10" in alert.group(1)
    assert html.index('role="alert"') > html.index('id="composer"')
    assert html.index('role="alert"') < html.index('id="id_body"')
    assert re.search(r'<textarea id="id_body"[^>]*>' + typed + "</textarea>", html)
    assert html.index('id="room-status"') > html.index('id="messages"')
    assert html.index('id="room-status"') < html.index('id="composer"')
    assert not Message.objects.exists()


@pytest.fixture
def scene(county):
    return Scene(county)


def test_a_blocked_word_and_the_identity_page_are_in_chinese(client, room, scene):
    made, alice, _bob = room
    SensitiveWord.objects.create(word="代开发票", level=SensitiveWord.Level.BLOCK)
    client.force_login(alice)
    html = client.post(reverse("exchange:room_post", args=[made.pk]), {"body": "代开发票"}).content.decode()
    assert "请换个说法：其中有不能发布的词（代开发票）。" in html and "Please rephrase" not in html
    report = moderation.report_message(scene.reader, scene.post("骗子").pk, Report.Reason.ABUSE)
    client.force_login(scene.secretary)
    shown = client.post(reverse("console:member_identity", args=[scene.membership.pk]), {"report": report.pk})
    html = shown.content.decode()
    assert "<dt>手机号码</dt>" in html and "Mobile" not in html


def test_the_history_of_a_question_masks_the_residents_mobile(client, county):
    asker = f.resident("13700001111", real_name="李秀英", full_name="")
    question = questions.ask_question(
        asker, county.village_a1.pk, questions.QuestionInput(title="低保什么时候申请？", body="", nickname="老李")
    )
    assert ChangeRecord.objects.filter(actor=asker).exists()
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:public_question", args=[question.pk])).content.decode()
    history = client.get(reverse("console:history", args=["publicquestion", question.pk])).content.decode()
    for html in (page, history):
        assert "13700001111" not in html and "137****1111" in html


def test_a_recalled_or_removed_message_leaves_no_mention_notification(client, scene):
    recalled = scene.post("@小花 明天的会取消了")
    removed = scene.post("@小花 你这个骗子")
    kept = scene.post("@小花 会改到周五")
    assert Notification.objects.filter(kind=notices.MENTION, user=scene.reader).count() == 3
    actions.recall_message(scene.author, recalled.pk)
    moderation.remove_message(scene.secretary, removed.pk, "辱骂")
    left = Notification.objects.filter(kind=notices.MENTION, user=scene.reader)
    assert [n.target_id for n in left] == [kept.pk]
    client.force_login(scene.reader)
    page = client.get(reverse("console:notifications")).content.decode()
    assert "会改到周五" in page and "明天的会取消了" not in page and "骗子" not in page


def test_links_to_a_room_open_it_at_the_composer(client, room):
    made, alice, _bob = room
    client.force_login(alice)
    page = client.get(reverse("exchange:rooms")).content.decode()
    assert f'href="{reverse("exchange:room", args=[made.pk])}#composer"' in page


def test_a_message_from_another_day_shows_its_date(client, room):
    made, alice, bob = room
    old = actions.post_message(alice, made.pk, actions.MessageInput(body="上周的通知"))
    new = actions.post_message(bob, made.pk, actions.MessageInput(body="今天的通知"))
    then = timezone.localtime().replace(hour=20, minute=0) - datetime.timedelta(days=3)
    Message.objects.filter(pk=old.pk).update(created_at=then)
    old.refresh_from_db()
    client.force_login(alice)
    page = client.get(reverse("exchange:room", args=[made.pk])).content.decode()
    assert f">{then:%m-%d} 20:00</time>" in page
    now = timezone.localtime(new.created_at)
    assert f">{now:%H:%M}</time>" in page
    assert live.payload(old)["time"] == f"{then:%m-%d} 20:00" and live.payload(new)["time"] == f"{now:%H:%M}"


def test_the_console_rooms_table_has_the_manage_links_in_its_first_column(client, county, room):
    made, _alice, _bob = room
    client.force_login(county.village_a1_secretary)
    html = client.get(reverse("console:exchange")).content.decode()
    row = re.search(r"<tbody>\s*<tr>\s*<td>(.*?)</td>", html, re.S)
    assert row is not None and made.name in row.group(1)
    assert reverse("console:room_members", args=[made.pk]) in row.group(1)
    assert reverse("console:room_edit", args=[made.pk]) in row.group(1)


def test_the_moderation_log_labels_an_announcement_as_such(client, scene):
    room_actions.set_announcement(scene.room_admin, scene.room.pk, "周六上午九点打扫村道")
    moderation.remove_message(scene.secretary, scene.post("骗子").pk, "辱骂他人")
    client.force_login(scene.secretary)
    html = client.get(reverse("console:moderation_log")).content.decode()
    assert "公告内容：周六上午九点打扫村道" in html and "理由：周六上午九点打扫村道" not in html
    assert "理由：辱骂他人" in html


def test_the_wording_of_review_rejection_and_the_question_page(client, county, scene):
    with translation.override("zh-hans"):
        assert str(SensitiveWord.Level.FLAG.label) == "先审核再显示"
    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    held = scene.post("我有内部消息")
    client.force_login(scene.secretary)
    queue = client.get(reverse("console:moderation")).content.decode()
    reject = re.search(r'<form[^>]*class="reason-form">(?:(?!</form>).)*value="reject"', queue, re.S)
    assert reject is not None and f'<label for="reject-{held.pk}">不通过的原因（可不填）</label>' in reject.group(0)
    asked = questions.ask_question(
        scene.reader, county.village_a1.pk, questions.QuestionInput(title="路灯什么时候修？", body="", nickname="小花")
    )
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:public_question", args=[asked.pk])).content.decode()
    assert f"问政 #{asked.pk}" in page and f"题目 #{asked.pk}" not in page
