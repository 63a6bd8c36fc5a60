"""The demo's conversation: days of messages in the village and branch rooms (made here as demo_rooms makes them),
numbered by the room's revs, with replies, mentions, a picture and the secretary's official answers."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from dangjian.demo.context import DemoContext
from dangjian.exchange import attachments, demo_messages, notices
from dangjian.exchange.models import Membership, Message, Room
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_rooms_get_a_believable_history(county, client):
    secretary = county.village_a1_secretary
    residents = [f.resident(f"1370000000{n}", real_name=f"村民{n}") for n in range(1, 6)]
    village = f.room(county.village_a1, "王庄村村民群", kind=Room.Kind.VILLAGE, audience=Room.Audience.RESIDENTS)
    branch = f.room(county.village_a1, "王庄村党支部", kind=Room.Kind.BRANCH)
    for room in (village, branch):
        Membership.objects.create(room=room, user=secretary, nickname="王书记", role=Membership.Role.ADMIN)
    for n, user in enumerate(residents, start=1):
        Membership.objects.create(room=village, user=user, nickname=f"村民{n}")
    for n in range(1, 4):
        Membership.objects.create(room=branch, user=f.UserFactory(username=f"party{n}"), nickname=f"党员{n}")

    lines = demo_messages.load(DemoContext(seed=7))
    assert lines == [
        f"王庄村村民群: {len(demo_messages.VILLAGE)} messages",
        f"王庄村党支部: {len(demo_messages.BRANCH)} messages",
    ]
    for room, script in ((village, demo_messages.VILLAGE), (branch, demo_messages.BRANCH)):
        room.refresh_from_db()
        shown = list(Message.objects.filter(room=room).order_by("id"))
        assert len(shown) == len(script) >= 15
        assert [m.rev for m in shown] == list(range(1, len(script) + 1)) and room.last_rev == len(script)
        assert [m.created_at for m in shown] == sorted(m.created_at for m in shown)
        assert all(m.official == (m.author_id == secretary.pk) for m in shown)
        assert sum(1 for m in shown if m.reply_to_id) >= 4
        assert any(m.mentions.exists() for m in shown)
    picture = Message.objects.get(kind=Message.Kind.IMAGE)
    assert picture.room == village and default_storage.exists(attachments.thumb_name(picture.image.name))
    # The last message mentions the secretary, who has not read it yet: told once, and it shows in the room.
    last = Message.objects.filter(room=village).latest("id")
    assert last.body.startswith("@王书记") and list(last.mentions.all()) == [secretary]
    assert Notification.objects.get(kind=notices.MENTION).user == secretary
    assert Membership.objects.get(room=village, user=secretary).last_read_rev == village.last_rev - 1
    client.force_login(secretary)
    page = client.get(reverse("exchange:room", args=[village.pk])).content.decode()
    assert '<span class="mention mention-me">@王书记</span>' in page and "路灯修好了" in page
    assert client.get(reverse("exchange:message_image", args=[picture.pk])).status_code == 200


def test_without_rooms_the_demo_adds_no_messages(county):
    assert demo_messages.load(DemoContext()) == []
    assert not Message.objects.exists()
