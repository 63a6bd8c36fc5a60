"""Rate limits of the exchange (issue 15), with the real limits cache (conftest gives each test its own): a flood
is refused with a Chinese message naming the wait and nothing stored; a new account is slowed earlier than an older
one; one person's flood does not stop another; the room's ceiling; joins and questions."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.exchange import actions, limits
from dangjian.exchange.models import Membership, Message, Room
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db
# The start of a minute, frozen: every message of a test falls in one window.
FROZEN = datetime.datetime(2026, 12, 1, 2, 0, 5, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def lanes(settings):
    settings.EXCHANGE_PERSON_PER_MINUTE = 6
    settings.EXCHANGE_NEW_PERSON_PER_MINUTE = 3
    settings.EXCHANGE_NEW_ACCOUNT_DAYS = 3
    settings.EXCHANGE_ROOM_PER_MINUTE = 100


def _old(user):
    """An account and membership from a month ago (out of the slower lane)."""
    month_ago = timezone.now() - datetime.timedelta(days=30)
    type(user).objects.filter(pk=user.pk).update(date_joined=month_ago)
    Membership.objects.filter(user=user).update(joined_at=month_ago)
    user.refresh_from_db()


def _say(user, room, body="你好"):
    return actions.post_message(user, room.pk, actions.MessageInput(body=body))


def _flood(user, room, times):
    """Post `times` messages; the number stored before the first refusal, and that refusal."""
    for sent in range(times):
        try:
            _say(user, room, f"第{sent}条")
        except limits.TooFast as refusal:
            return sent, refusal
    return times, None


@pytest.fixture
def room_and_people(county, frozen, lanes):
    veteran = f.resident("13911110001")
    newcomer = f.resident("13911110002")
    other = f.resident("13911110003")
    room = f.room(county.village_a1, "王庄村民群", people=[veteran, newcomer, other], audience=Room.Audience.RESIDENTS)
    _old(veteran)
    _old(other)
    return room, veteran, newcomer, other


def test_a_flood_is_refused_after_the_limit_naming_the_wait_and_nothing_is_stored(room_and_people):
    room, veteran, _newcomer, _other = room_and_people
    stored, refusal = _flood(veteran, room, 10)
    assert stored == 6 and refusal is not None
    assert str(refusal) == "您发消息太快了，请等55秒再发。" and refusal.retry_after == 55
    assert Message.objects.filter(author=veteran).count() == 6
    assert not Message.objects.filter(body__in=["第6条", "第7条"]).exists()
    # The next minute the person speaks again.
    with time_machine.travel(FROZEN + datetime.timedelta(seconds=60), tick=False):
        _say(veteran, room, "现在可以了")
    assert Message.objects.filter(author=veteran).count() == 7


def test_a_new_account_is_slowed_earlier_than_an_older_one(room_and_people):
    room, veteran, newcomer, _other = room_and_people
    assert _flood(newcomer, room, 10)[0] == 3
    assert _flood(veteran, room, 10)[0] == 6


def test_an_old_account_new_in_the_room_is_in_the_slower_lane_too(room_and_people):
    room, veteran, _newcomer, _other = room_and_people
    Membership.objects.filter(user=veteran).update(joined_at=timezone.now() - datetime.timedelta(hours=1))
    assert _flood(veteran, room, 10)[0] == 3


def test_one_persons_flood_does_not_stop_another(room_and_people):
    room, veteran, _newcomer, other = room_and_people
    _flood(veteran, room, 10)
    _say(other, room, "我还能说话")
    assert Message.objects.filter(author=other).count() == 1


def test_the_room_ceiling_stops_everyone_but_its_moderators(county, frozen, lanes, settings):
    settings.EXCHANGE_ROOM_PER_MINUTE = 8
    people = [f.resident(f"1391111100{i}") for i in range(4)]
    secretary = county.village_a1_secretary
    room = f.room(county.village_a1, people=people, admins=[secretary], audience=Room.Audience.RESIDENTS)
    for person in people:
        _old(person)
    for person in people[:2]:
        assert _flood(person, room, 4)[0] == 4
    with pytest.raises(limits.TooFast, match="群里消息太多，请等55秒再发"):
        _say(people[2], room)
    _say(secretary, room, "请大家有序发言")  # the moderator calms the room
    assert Message.objects.filter(author=secretary).count() == 1
    assert Message.objects.count() == 9


def test_new_staff_speaking_for_the_organization_are_not_in_the_slower_lane(county, frozen, lanes):
    officer = f.staff("new_officer", Role.SECRETARY, county.village_a1)
    room = f.room(county.village_a1, people=[officer], audience=Room.Audience.RESIDENTS)
    assert _flood(officer, room, 10)[0] == 6


def test_joins_and_questions_are_limited_per_person(county, frozen, settings):
    settings.EXCHANGE_JOINS_PER_HOUR = 3
    settings.EXCHANGE_QUESTIONS_PER_HOUR = 4
    newcomer = f.resident("13911110009")
    veteran = f.resident("13911110008")
    _old(veteran)
    for _try in range(3):
        limits.check_join(newcomer)
    with pytest.raises(limits.TooFast, match="加入群聊或修改昵称太频繁，请等60分钟再试"):
        limits.check_join(newcomer)
    limits.check_join(veteran)  # another person is not stopped
    for _try in range(2):
        limits.check_question(newcomer)
    with pytest.raises(limits.TooFast, match="提问太多"):
        limits.check_question(newcomer)
    for _try in range(4):
        limits.check_question(veteran)
    with pytest.raises(limits.TooFast):
        limits.check_question(veteran)


# --- Joins, nicknames and questions, through the pages ------------------------------------------------------


def test_joining_rooms_and_changing_nicknames_on_the_pages_share_one_hourly_limit(client, county, frozen, settings):
    from django.urls import reverse

    settings.EXCHANGE_JOINS_PER_HOUR = 2
    resident = f.resident("13911110007")
    rooms = [f.room(county.village_a1, name, audience=Room.Audience.RESIDENTS) for name in ("王庄村民群", "王庄议事群")]
    client.force_login(resident)
    joined = client.post(reverse("exchange:room_join", args=[rooms[0].pk]), {"nickname": "老李"})
    assert joined.status_code == 302
    renamed = client.post(
        reverse("exchange:room_info", args=[rooms[0].pk]), {"do": "nickname", "nick-nickname": "村东老李"}
    )
    assert renamed.status_code == 302
    refused = client.post(reverse("exchange:room_join", args=[rooms[1].pk]), {"nickname": "老李"})
    assert refused.status_code == 400
    assert "您加入群聊或修改昵称太频繁，请等60分钟再试。" in refused.content.decode()
    assert not Membership.objects.filter(room=rooms[1]).exists()
    again = client.post(
        reverse("exchange:room_info", args=[rooms[0].pk]), {"do": "nickname", "nick-nickname": "王庄老李"}, follow=True
    )
    assert "您加入群聊或修改昵称太频繁，请等60分钟再试。" in again.content.decode()
    assert Membership.objects.get(room=rooms[0]).nickname == "村东老李"
    # Someone else joins all the same.
    other = f.resident("13911110006")
    client.force_login(other)
    assert client.post(reverse("exchange:room_join", args=[rooms[1].pk]), {"nickname": "小王"}).status_code == 302


def test_questions_on_the_portal_have_one_limit_and_new_accounts_the_slower_lane(client, county, frozen, settings):
    import uuid

    from django.urls import reverse

    from dangjian.exchange.models import PublicQuestion

    settings.EXCHANGE_QUESTIONS_PER_HOUR = 4
    newcomer = f.resident("13911110005")
    veteran = f.resident("13911110004")
    _old(veteran)
    url = reverse("exchange:ask", args=[county.village_a1.pk])

    def ask(n):
        form = {"title": f"第{n}个问题要问一问", "nickname": "老李", "client_token": str(uuid.uuid4())}
        return client.post(url, form)

    client.force_login(newcomer)
    assert [ask(n).status_code for n in range(2)] == [302, 302]
    refused = ask(3)
    assert refused.status_code == 400 and "您短时间内提问太多，请等60分钟再提。" in refused.content.decode()
    assert PublicQuestion.objects.filter(asker=newcomer).count() == 2
    client.force_login(veteran)
    assert [ask(n).status_code for n in range(4)] == [302] * 4
    assert "提问太多" in ask(5).content.decode()
    assert PublicQuestion.objects.filter(asker=veteran).count() == 4
