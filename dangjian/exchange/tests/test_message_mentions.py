"""Mentions: the people named are told once through notify() (never the author, nobody who muted the room, nobody
for a held message until it is approved); people who have not read them get ONE e-mail digest, never twice."""

import datetime

import pytest
from django.utils import timezone

from dangjian.exchange import actions, mentions, message_digest, moderation, notices
from dangjian.exchange.models import Membership, Message, Room
from dangjian.notifications import mail
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f
from dangjian.tests_support.mailserver import MailServer


@pytest.fixture
def people(county):
    alice = f.UserFactory(username="alice", email="alice@example.org")
    bob = f.UserFactory(username="bob", email="bob@example.org")
    carol = f.UserFactory(username="carol", email="")
    village = f.room(county.village_a1, "王庄村民群", people=[alice, bob, carol], audience=Room.Audience.RESIDENTS)
    branch = f.room(county.village_a1, "王庄村党支部", people=[alice, bob])
    return village, branch, alice, bob, carol


def mention_rows(user=None):
    rows = Notification.objects.filter(kind=notices.MENTION)
    return rows.filter(user=user) if user is not None else rows


def test_a_mention_tells_the_named_member_once_and_never_the_author(people):
    village, _branch, alice, bob, carol = people
    message = actions.post_message(alice, village.pk, actions.MessageInput(body="@bob @alice 明早八点村部开会"))
    assert list(message.mentions.values_list("username", flat=True)) == ["bob"]
    row = mention_rows().get()
    assert row.user == bob and row.target_id == message.pk
    assert row.text == "alice 在“王庄村民群”中提到了您：@bob @alice 明早八点村部开会"
    assert row.link == f"/rooms/{village.pk}/#m{message.pk}"
    assert mentions.announce_mentions(message) == 0  # a second call tells nobody again
    assert mention_rows().count() == 1 and not mention_rows(carol).exists()
    # Opening the room reads the mention too.
    later = actions.post_message(alice, village.pk, actions.MessageInput(body="@bob 还有一件事"))
    actions.mark_read(bob, village.pk, message.rev)
    assert mention_rows(bob).get(target_id=message.pk).read_at is not None
    assert mention_rows(bob).get(target_id=later.pk).read_at is None


def test_a_muted_room_or_a_member_who_left_is_not_told(people):
    village, _branch, alice, bob, carol = people
    Membership.objects.filter(room=village, user=bob).update(notifications_muted=True)
    Membership.objects.filter(room=village, user=carol).update(left_at=timezone.now())
    actions.post_message(alice, village.pk, actions.MessageInput(body="@bob @carol 收到请回复"))
    assert not mention_rows().exists()


def test_a_held_message_tells_nobody_until_approved(people, county):
    village, _branch, alice, bob, _carol = people
    Room.objects.filter(pk=village.pk).update(review_before_publish=True)
    held = actions.post_message(bob, village.pk, actions.MessageInput(body="@alice 路灯又坏了"))
    assert held.state == Message.State.HELD and not mention_rows().exists()
    # The village secretary approves it from the queue: now Alice is told, once.
    moderation.approve_message(county.village_a1_secretary, held.pk)
    assert mention_rows(alice).count() == 1
    assert mention_rows(alice).get().target_id == held.pk
    assert not mention_rows(bob).exists()


def age(rows, minutes: int) -> None:
    rows.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_the_digest_mails_each_person_once_with_their_rooms_and_counts(people, settings):
    village, branch, alice, bob, carol = people
    dave = f.UserFactory(username="dave", email="dave@example.org")
    Membership.objects.create(room=village, user=dave, nickname="老李")
    for text in ("@bob 看一下通知", "@bob 明天交材料", "@carol @老李 大家注意"):
        actions.post_message(alice, village.pk, actions.MessageInput(body=text))
    actions.post_message(alice, branch.pk, actions.MessageInput(body="@bob 支部会改到周五"))
    recent = actions.post_message(alice, branch.pk, actions.MessageInput(body="@bob 刚发的"))
    age(mention_rows().exclude(target_id=recent.pk), settings.EXCHANGE_DIGEST_AFTER_MINUTES + 5)
    # Dave has written in the room since (so he read it): his mention is read, nothing is mailed to him.
    actions.post_message(dave, village.pk, actions.MessageInput(body="收到"))

    result = message_digest.send_mention_digests()
    assert result == {"digests": 1, "mentions": 3, "read": 1}  # carol has no e-mail address
    digest = Notification.objects.get(kind=notices.MENTION_DIGEST)
    assert digest.user == bob
    assert digest.text == "您有 3 条提到您的消息还没有看：王庄村民群（2条）、王庄村党支部（1条）"
    assert mention_rows(dave).get().read_at is not None
    # Mailed through the real mail server, once.
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        assert mail.deliver_pending_mail()["sent"] == 1
    assert len(server.messages) == 1 and server.messages[0]["to"] == ["bob@example.org"]
    assert "王庄村民群（2条）" in server.messages[0]["subject"]
    assert "https://dj.example.gov.cn/rooms/" in server.messages[0]["body"]
    # The next runs mail nothing again; the recent mention comes in its own digest once it is old enough.
    assert message_digest.send_mention_digests()["digests"] == 0
    later = timezone.now() + datetime.timedelta(minutes=settings.EXCHANGE_DIGEST_AFTER_MINUTES + 1)
    assert message_digest.send_mention_digests(now=later) == {"digests": 1, "mentions": 1, "read": 0}
    assert message_digest.send_mention_digests(now=later)["digests"] == 0
    second = Notification.objects.filter(kind=notices.MENTION_DIGEST).latest("id")
    assert second.params["count"] == 1 and "王庄村党支部（1条）" in second.text


def test_the_digest_skips_recalled_messages_and_muted_rooms(people, settings):
    village, branch, alice, bob, _carol = people
    gone = actions.post_message(alice, village.pk, actions.MessageInput(body="@bob 发错了"))
    actions.recall_message(alice, gone.pk)
    actions.post_message(alice, branch.pk, actions.MessageInput(body="@bob 支部的事"))
    Membership.objects.filter(room=branch, user=bob).update(notifications_muted=True)
    age(mention_rows(), settings.EXCHANGE_DIGEST_AFTER_MINUTES + 5)
    assert message_digest.send_mention_digests()["digests"] == 0
    assert not Notification.objects.filter(kind=notices.MENTION_DIGEST).exists()


def test_a_mention_already_mailed_by_another_clock_is_not_mailed_again(people, settings):
    village, _branch, alice, bob, _carol = people
    actions.post_message(alice, village.pk, actions.MessageInput(body="@bob 在吗"))
    age(mention_rows(), settings.EXCHANGE_DIGEST_AFTER_MINUTES + 5)
    mention_rows().update(mail_state=Notification.Mail.SENT)
    assert message_digest.send_mention_digests()["digests"] == 0
    assert not Notification.objects.filter(kind=notices.MENTION_DIGEST).exists()
