"""The foundation of the exchange: a message is stored with the room's next rev before anything is broadcast, a
retried token stores one message, flagged words hold a message, the author recalls within two minutes, and the
room reads and posts as plain pages."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from dangjian.core.history import ActionError, InvalidInput
from dangjian.core.models import SensitiveWord
from dangjian.exchange import actions, live
from dangjian.exchange.models import Message, Room
from dangjian.tests_support import factories as f


@pytest.fixture
def room(county):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    made = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    return made, alice, bob


def test_each_message_takes_the_rooms_next_rev_and_changes_take_new_ones(room):
    made, alice, bob = room
    first = actions.post_message(alice, made.pk, actions.MessageInput(body="大家好"))
    second = actions.post_message(bob, made.pk, actions.MessageInput(body="你好", reply_to_id=first.pk))
    assert (first.rev, second.rev) == (1, 2)
    actions.recall_message(bob, second.pk)
    second.refresh_from_db()
    made.refresh_from_db()
    assert second.state == Message.State.RECALLED and second.rev == 3 and made.last_rev == 3
    assert [m.pk for m in live.messages_after(made.pk, 1)] == [second.pk]
    assert live.payload(second)["body"] == ""


def test_the_same_token_twice_stores_one_message(room):
    made, alice, _bob = room
    token = uuid.uuid4()
    one = actions.post_message(alice, made.pk, actions.MessageInput(body="路灯坏了", client_token=token))
    two = actions.post_message(alice, made.pk, actions.MessageInput(body="路灯坏了", client_token=token))
    assert one.pk == two.pk and Message.objects.count() == 1


def test_an_outsider_or_an_empty_or_enormous_message_is_refused_and_nothing_is_stored(room):
    made, alice, _bob = room
    with pytest.raises(actions.NotInRoom):
        actions.post_message(f.UserFactory(username="eve"), made.pk, actions.MessageInput(body="hi"))
    with pytest.raises(InvalidInput):
        actions.post_message(alice, made.pk, actions.MessageInput(body="   "))
    with pytest.raises(InvalidInput, match="2000"):
        actions.post_message(alice, made.pk, actions.MessageInput(body="长" * 1_000_000))
    assert not Message.objects.exists()


def test_a_flagged_word_holds_the_message_and_a_blocked_one_refuses_it(room):
    made, alice, bob = room
    SensitiveWord.objects.create(word="代开发票", level=SensitiveWord.Level.BLOCK)
    SensitiveWord.objects.create(word="上访", level=SensitiveWord.Level.FLAG)
    with pytest.raises(InvalidInput, match="代开发票"):
        actions.post_message(alice, made.pk, actions.MessageInput(body="代开发票，联系我"))
    held = actions.post_message(alice, made.pk, actions.MessageInput(body="明天一起去上访"))
    assert held.state == Message.State.HELD and held.flagged_words == ["上访"]
    assert live.payload(held) is None and live.payload(held, moderator=True)["flagged_words"] == ["上访"]


def test_recall_only_within_two_minutes(room):
    made, alice, _bob = room
    message = actions.post_message(alice, made.pk, actions.MessageInput(body="发错了"))
    with (
        time_machine.travel(message.created_at + datetime.timedelta(seconds=121)),
        pytest.raises(ActionError, match="2"),
    ):
        actions.recall_message(alice, message.pk)
    message.refresh_from_db()
    assert message.state == Message.State.PUBLISHED


def test_the_room_reads_and_posts_as_plain_pages(room, client):
    made, alice, bob = room
    actions.post_message(bob, made.pk, actions.MessageInput(body="今晚开会"))
    client.force_login(alice)
    page = client.get(reverse("exchange:room", args=[made.pk]))
    assert page.status_code == 200 and "今晚开会" in page.content.decode()
    answer = client.post(
        reverse("exchange:room_post", args=[made.pk]), {"body": "收到", "client_token": str(uuid.uuid4())}
    )
    assert answer.status_code == 302
    assert Message.objects.filter(author=alice, body="收到").exists()
    client.force_login(f.UserFactory(username="mallory"))
    assert client.get(reverse("exchange:room", args=[made.pk])).status_code == 404
    assert client.post(reverse("exchange:room_post", args=[made.pk]), {"body": "x"}).status_code == 404
