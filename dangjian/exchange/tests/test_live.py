"""The live side (issue 15): a real ASGI server (uvicorn, a subprocess on the test database) and real WebSocket
clients. A message posted through the plain page reaches a socket through the watcher; bad frames, foreign
origins, forged rooms, floods, a room left, a mute, a 1 MB frame (refused, the connection kept) are each refused with a reason while the others'
connections go on; two processes sharing a private Redis carry a message from one to the other."""

from __future__ import annotations

import asyncio
import datetime
import json
import uuid

import pytest
from channels.layers import channel_layers
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidStatus

from dangjian.exchange import actions
from dangjian.exchange.models import Membership, Message, Room
from dangjian.exchange.notices import WEBSOCKET
from dangjian.notifications import kinds
from dangjian.notifications.api import notify
from dangjian.notifications.kinds import CONSOLE
from dangjian.tests_support import factories as f
from dangjian.tests_support.asgiserver import (
    AsgiServer,
    RedisServer,
    connect,
    cookie_of,
    receive,
    receive_until,
    send,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """One ASGI process with the in-memory layer, its watcher reading the rooms every 0.2 s."""
    with django_db_blocker.unblock(), AsgiServer(EXCHANGE_WATCH_SECONDS="0.2") as running:
        yield running


@pytest.fixture
def people(county):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    return room, alice, bob


def in_thread(fn, *args):
    """Run ORM or test-client work beside the event loop (its own database connection, closed after)."""

    def run():
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return asyncio.to_thread(run)


def test_a_message_posted_through_the_page_reaches_a_socket_through_the_watcher(server, people):
    room, alice, bob = people
    page = Client()
    page.force_login(alice)
    bob_cookie = cookie_of(Client(), bob)
    root_cookie = cookie_of(Client(), f.UserFactory(username="root", is_superuser=True, is_staff=True))

    async def scenario():
        async with connect(f"{server.url}/ws/rooms/{room.pk}/", bob_cookie) as ws:
            await send(ws, {"type": "since", "after": 0})
            history = await receive(ws)
            assert history == {"type": "history", "after": 0, "messages": [], "last_rev": 0, "more": False}
            response = await in_thread(
                page.post, reverse("exchange:room_post", args=[room.pk]), {"body": "村口路灯坏了，谁来看看？"}
            )
            assert response.status_code == 302
            frame = await receive_until(ws, lambda fr: fr["type"] == "message")
            assert frame["message"]["body"] == "村口路灯坏了，谁来看看？"
            assert frame["message"]["nickname"] == "alice" and frame["message"]["rev"] == 1
        # The process counts what it brought from the database (for the bench); only a superuser may ask.
        async with connect(f"{server.url}/ws/rooms/{room.pk}/", root_cookie) as ws:
            await send(ws, {"type": "counts"})
            counts = await receive_until(ws, lambda fr: fr["type"] == "counts")
            assert counts["filled"] >= 1 and counts["delivered"] >= counts["filled"] and counts["rounds"] >= 1

    asyncio.run(scenario())


def test_two_people_talk_and_a_reconnecting_client_gets_what_it_missed(server, people):
    room, alice, bob = people
    alice_cookie, bob_cookie = cookie_of(Client(), alice), cookie_of(Client(), bob)
    url = f"{server.url}/ws/rooms/{room.pk}/"
    token = str(uuid.uuid4())

    async def scenario():
        async with connect(url, alice_cookie) as a, connect(url, bob_cookie) as b:
            await send(a, {"type": "send", "body": "明天上午开会", "reply_to": None, "token": token})
            ack = await receive_until(a, lambda fr: fr["type"] == "ack")
            assert ack["token"] == token and ack["state"] == "published" and ack["rev"] == 1
            seen = await receive_until(b, lambda fr: fr["type"] == "message")
            assert seen["message"]["id"] == ack["id"] and seen["message"]["body"] == "明天上午开会"
            # The same token again (a retry after a drop) stores nothing new.
            await send(a, {"type": "send", "body": "明天上午开会", "token": token})
            again = await receive_until(a, lambda fr: fr["type"] == "ack")
            assert again["id"] == ack["id"]
            await send(b, {"type": "read", "rev": 1})
        # Bob away; Alice speaks twice, then recalls the first one.
        async with connect(url, alice_cookie) as a:
            for body in ("几点？", "九点"):
                await send(a, {"type": "send", "body": body, "token": str(uuid.uuid4())})
                await receive_until(a, lambda fr: fr["type"] == "ack")
            await send(a, {"type": "recall", "id": ack["id"]})
            recalled = await receive_until(a, lambda fr: fr["type"] == "ack" and fr.get("state") == "recalled")
            assert recalled["rev"] == 4
        async with connect(url, bob_cookie) as b:
            await send(b, {"type": "since", "after": 1})
            history = await receive_until(b, lambda fr: fr["type"] == "history")
            assert [(m["body"], m["state"]) for m in history["messages"]] == [
                ("几点？", "published"),
                ("九点", "published"),
                ("", "recalled"),
            ]
            assert history["last_rev"] == 4 and history["more"] is False

    asyncio.run(scenario())
    assert Message.objects.count() == 3
    assert Membership.objects.get(room=room, user=bob).last_read_rev == 1


def test_a_held_message_reaches_only_its_author_and_moderators_others_get_a_tick(server, people, county):
    room, alice, bob = people
    room.review_before_publish = True
    room.save()
    admin = f.UserFactory(username="admin")
    Membership.objects.create(room=room, user=admin, nickname="村支书", role=Membership.Role.ADMIN)
    cookies = {u.username: cookie_of(Client(), u) for u in (alice, bob, admin)}
    url = f"{server.url}/ws/rooms/{room.pk}/"

    async def scenario():
        async with (
            connect(url, cookies["alice"]) as a,
            connect(url, cookies["bob"]) as b,
            connect(url, cookies["admin"]) as m,
        ):
            await send(a, {"type": "send", "body": "我有意见", "token": str(uuid.uuid4())})
            ack = await receive_until(a, lambda fr: fr["type"] == "ack")
            assert ack["state"] == "held"
            own = await receive_until(a, lambda fr: fr["type"] == "message")
            assert own["message"]["state"] == "held" and own["message"]["body"] == "我有意见"
            assert await receive_until(b, lambda fr: fr["type"] in ("message", "tick")) == {"type": "tick", "rev": 1}
            held = await receive_until(m, lambda fr: fr["type"] == "message")
            assert held["message"]["body"] == "我有意见"
            await send(b, {"type": "since", "after": 0})
            history = await receive_until(b, lambda fr: fr["type"] == "history")
            assert history["messages"] == [] and history["last_rev"] == 1

    asyncio.run(scenario())


def test_refusals_each_with_a_reason_and_the_others_go_on(server, people, county):
    room, alice, bob = people
    outsider = f.UserFactory(username="eve")
    other_room = f.room(county.village_b1, "西山群", people=[outsider])
    cookies = {u.username: cookie_of(Client(), u) for u in (alice, bob, outsider)}
    url = f"{server.url}/ws/rooms/{room.pk}/"

    async def closed_with(ws) -> tuple[int, dict]:
        frame = await receive(ws)
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code is not None
        return ws.close_code, frame

    async def scenario():
        # Another site's page may not open a socket with the person's cookies.
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, cookies["alice"], origin="https://evil.example.com"):
                pass
        assert refused.value.response.status_code == 403
        # Not signed in; a forged room; a room of others.
        async with connect(url) as ws:
            code, frame = await closed_with(ws)
            assert code == 4401 and frame["type"] == "error" and frame["message"] == "请先登录。"
        async with connect(f"{server.url}/ws/rooms/999999/", cookies["alice"]) as ws:
            code, frame = await closed_with(ws)
            assert code == 4404 and frame["message"] == "此群不存在。"
        async with connect(f"{server.url}/ws/rooms/abc/", cookies["alice"]) as ws:
            assert (await closed_with(ws))[0] == 4404
        async with connect(f"{server.url}/ws/rooms/{other_room.pk}/", cookies["alice"]) as ws:
            code, frame = await closed_with(ws)
            assert code == 4403 and frame["message"] == "您无权查看此群。"

        async with connect(url, cookies["alice"]) as a, connect(url, cookies["bob"]) as b:
            bad = [
                ("{not json", "malformed"),
                (json.dumps([1, 2]), "malformed"),
                (json.dumps({"type": "dance"}), "unknown"),
                (json.dumps({"type": "send", "body": 5}), "malformed"),
                (json.dumps({"type": "send", "body": "hi", "reply_to": "x"}), "malformed"),
                (json.dumps({"type": "send", "body": "hi", "token": "not-a-uuid"}), "malformed"),
                (json.dumps({"type": "since", "after": "x"}), "malformed"),
                (json.dumps({"type": "send", "body": "长" * 5000}), "too_long"),
                (json.dumps({"type": "send", "body": "长" * 2001}), "refused"),
                (json.dumps({"type": "send", "body": "   "}), "refused"),
                (json.dumps({"type": "recall", "id": 123456}), "not_found"),
                (json.dumps({"type": "counts"}), "unknown"),
            ]
            for text, code in bad:
                await a.send(text)
                frame = await receive(a)
                assert frame["type"] == "error" and frame["code"] == code, (text[:40], frame)
                assert any(ord(c) > 0x4E00 for c in frame["message"]), frame  # in Chinese
            await a.send(b"\x00\x01binary")
            assert (await receive(a))["code"] == "binary"
            # A flood: the slower lane of a new account lets five a minute through, then refuses with the wait.
            codes = []
            for n in range(7):
                await send(a, {"type": "send", "body": f"第{n}条", "token": str(uuid.uuid4())})
                codes.append((await receive_until(a, lambda fr: fr["type"] in ("ack", "error")))["type"])
            assert codes == ["ack"] * 5 + ["error"] * 2
            # Bob's connection saw Alice's five messages and nothing of her errors.
            got = [await receive_until(b, lambda fr: fr["type"] == "message") for _ in range(5)]
            assert [g["message"]["body"] for g in got] == [f"第{n}条" for n in range(5)]
            # Muted by a moderator: refused with the time, the connection kept.
            await in_thread(
                lambda: Membership.objects.filter(user=bob).update(
                    muted_until=timezone.now() + datetime.timedelta(hours=1)
                )
            )
            await send(b, {"type": "send", "body": "我说一句", "token": str(uuid.uuid4())})
            frame = await receive_until(b, lambda fr: fr["type"] == "error")
            assert frame["code"] == "refused" and "禁言" in frame["message"]
            # Bob left the room: refused, and that connection closes (4403); Alice's goes on.
            await in_thread(lambda: Membership.objects.filter(user=bob).update(left_at=timezone.now()))
            await send(b, {"type": "send", "body": "还在吗", "token": str(uuid.uuid4())})
            frame = await receive_until(b, lambda fr: fr["type"] == "error")
            assert frame["code"] == "not_in_room"
            with pytest.raises(ConnectionClosed):
                await receive(b)
            assert b.close_code == 4403
            # A frame of exactly 1 MB: refused with the reason in Chinese, that connection kept; nothing stored.
            async with connect(url, cookies["alice"]) as big:
                head = json.dumps({"type": "send", "token": str(uuid.uuid4()), "body": ""})[:-2]
                frame_text = head + "x" * (1024 * 1024 - len(head) - 2) + '"}'
                assert len(frame_text.encode()) == 1024 * 1024
                await big.send(frame_text)
                refusal = await receive(big)
                assert refusal["type"] == "error" and refusal["code"] == "too_long"
                assert refusal["message"].startswith("消息太长")
                await send(big, {"type": "since", "after": 0})
                assert (await receive_until(big, lambda fr: fr["type"] == "history"))["last_rev"] == 5
            await send(a, {"type": "since", "after": 0})
            assert (await receive_until(a, lambda fr: fr["type"] == "history"))["last_rev"] == 5

    asyncio.run(scenario())
    assert Message.objects.filter(room=room).count() == 5


def test_a_member_expelled_through_a_page_loses_the_open_socket_at_once(server, people, county):
    """The page process (here: this test process) has no socket; the ASGI process's watcher reads the change from
    the database, tells the member why and closes, before any later message reaches them."""
    from dangjian.exchange import moderation

    room, alice, bob = people
    bob_cookie, alice_cookie = cookie_of(Client(), bob), cookie_of(Client(), alice)
    membership = Membership.objects.get(room=room, user=bob)
    url = f"{server.url}/ws/rooms/{room.pk}/"

    async def scenario():
        async with connect(url, bob_cookie) as b, connect(url, alice_cookie) as a:
            await send(b, {"type": "since", "after": 0})
            assert (await receive(b))["type"] == "history"
            await in_thread(moderation.expel_member, county.village_a1_secretary, membership.pk, "多次发广告")
            await in_thread(actions.post_message, alice, room.pk, actions.MessageInput(body="他走了以后说的话"))
            frames = []
            with pytest.raises(ConnectionClosed):
                for _ in range(10):
                    frames.append(await receive(b, timeout=5))
            assert b.close_code == 4403
            assert frames == [{"type": "error", "code": "forbidden", "message": "您已不在此群中。"}]
            # Alice's socket goes on and gets the message.
            seen = await receive_until(a, lambda fr: fr["type"] == "message")
            assert seen["message"]["body"] == "他走了以后说的话"

    asyncio.run(scenario())


def test_the_own_channel_brings_notices_and_unread_counts(server, people):
    room, alice, bob = people
    bob_cookie = cookie_of(Client(), bob)

    async def scenario():
        async with connect(f"{server.url}/ws/me/", bob_cookie) as me:
            assert await receive(me) == {"type": "unread", "rooms": {str(room.pk): 0}, "total": 0}
            await in_thread(actions.post_message, alice, room.pk, actions.MessageInput(body="@bob 在吗"))
            unread = await receive_until(me, lambda fr: fr["type"] == "unread")
            assert unread["rooms"] == {str(room.pk): 1} and unread["total"] == 1

    asyncio.run(scenario())


def test_two_processes_sharing_redis_carry_a_message_from_one_to_the_other(people, settings):
    room, alice, bob = people
    alice_cookie, bob_cookie = cookie_of(Client(), alice), cookie_of(Client(), bob)
    kinds.register(kinds.Kind("exchange.test_live", "%(text)s", channels=(CONSOLE, WEBSOCKET)))

    async def scenario(one: AsgiServer, two: AsgiServer):
        async with connect(f"{one.url}/ws/rooms/{room.pk}/", alice_cookie) as a:
            async with connect(f"{two.url}/ws/rooms/{room.pk}/", bob_cookie) as b:
                await send(a, {"type": "send", "body": "从一号进程发出", "token": str(uuid.uuid4())})
                ack = await receive_until(a, lambda fr: fr["type"] == "ack")
                frame = await receive_until(b, lambda fr: fr["type"] == "message", timeout=10)
                assert frame["message"]["id"] == ack["id"] and frame["message"]["body"] == "从一号进程发出"
                # Exactly once: nothing else arrives.
                with pytest.raises(TimeoutError):
                    await receive_until(b, lambda fr: fr["type"] == "message", timeout=1)
            # notify()'s "websocket" channel: this test process sends through the same Redis to Bob's own socket.
            async with connect(f"{two.url}/ws/me/", bob_cookie) as me:
                await receive_until(me, lambda fr: fr["type"] == "unread")
                await in_thread(lambda: notify([bob], "exchange.test_live", room, text="alice 在群里提到了您"))
                frame = await receive_until(me, lambda fr: fr["type"] == "notify")
                assert frame["text"] == "alice 在群里提到了您"

    with RedisServer() as redis:
        env = {"REDIS_URL": redis.url, "EXCHANGE_WATCH_SECONDS": "3600"}
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [redis.url]}}
        }
        channel_layers.backends.clear()
        with AsgiServer(**env) as one, AsgiServer(**env) as two:
            try:
                asyncio.run(scenario(one, two))
            finally:
                channel_layers.backends.clear()


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "x", True),  # not a browser: its session still has to be valid
        ("https://dj.example.gov.cn", "127.0.0.1:8001", True),  # SITE_URL
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),  # the page's own host (one front)
        ("https://front.example.org", "front.example.org", True),  # behind TLS, the socket arrives as ws
        ("http://other.example.org", "127.0.0.1:8001", False),
        ("https://dj.example.gov.cn.evil.com", "127.0.0.1:8001", False),
        ("null", "127.0.0.1:8001", False),
    ],
)
def test_only_our_own_pages_may_open_a_socket(origin, host, allowed, settings):
    from dangjian.exchange.consumers import origin_allowed

    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    assert origin_allowed({"type": "websocket", "scheme": "ws", "headers": headers}) is allowed


def test_unread_counts_of_many_rooms_take_one_query(county, django_assert_num_queries):
    """The /ws/me/ socket counts again on every change of one of the person's rooms: one query, whatever the number
    of rooms (and only the rooms asked for)."""
    from dangjian.exchange.consumers import unread_counts

    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    rooms = [f.room(county.village_a1, f"第{n}群", people=[alice, bob]) for n in range(4)]
    Membership.objects.filter(room=rooms[3], user=bob).update(notifications_muted=True)
    actions.post_message(bob, rooms[0].pk, actions.MessageInput(body="我自己的"))  # never counted for him
    for n, room in enumerate(rooms):
        for k in range(n + 1):
            actions.post_message(alice, room.pk, actions.MessageInput(body=f"消息{k}"))
    with django_assert_num_queries(1):
        counts = unread_counts(bob)
    assert counts == {str(rooms[0].pk): 1, str(rooms[1].pk): 2, str(rooms[2].pk): 3}
    with django_assert_num_queries(1):
        assert unread_counts(bob, [rooms[2].pk]) == {str(rooms[2].pk): 3}
    Membership.objects.filter(room=rooms[1], user=bob).update(last_read_rev=1)
    assert unread_counts(bob, [rooms[1].pk, rooms[3].pk]) == {str(rooms[1].pk): 1}


def test_the_own_channel_counts_a_message_sent_on_a_room_socket_and_brings_the_mention(people):
    """A process of its own: the module's server would keep the content types' ids it cached before the tests
    before this one flushed and re-created them, and its notice's target would then point at a missing row."""
    room, alice, bob = people
    # Out of the slower lane: the server's limits cache outlives the tests, whose ids repeat after each flush.
    month_ago = timezone.now() - datetime.timedelta(days=30)
    type(alice).objects.filter(pk=alice.pk).update(date_joined=month_ago)
    Membership.objects.filter(user=alice).update(joined_at=month_ago)
    alice_cookie, bob_cookie = cookie_of(Client(), alice), cookie_of(Client(), bob)

    async def scenario(server):
        async with connect(f"{server.url}/ws/me/", bob_cookie) as me:
            assert (await receive(me))["type"] == "unread"
            async with connect(f"{server.url}/ws/rooms/{room.pk}/", alice_cookie) as a:
                await send(a, {"type": "send", "body": "@bob 明天开会", "token": str(uuid.uuid4())})
                assert (await receive_until(a, lambda fr: fr["type"] == "ack"))["state"] == "published"
            frames = {}
            while len(frames) < 2:  # in either order
                frame = await receive(me)
                frames[frame["type"]] = frame
            assert frames["notify"]["text"] == "alice 在“王庄村民群”中提到了您：@bob 明天开会"
            assert frames["unread"] == {"type": "unread", "rooms": {str(room.pk): 1}, "total": 1}

    with AsgiServer(EXCHANGE_WATCH_SECONDS="0.2") as server:
        asyncio.run(scenario(server))
