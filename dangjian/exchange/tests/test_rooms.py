"""Rooms (issue 15, "Rooms"): opening and changing rooms in the console, joining under a nickname by audience,
unread counts with one's own mute, the room's information page, and paging back through the history."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core.history import ChangeRecord, EditConflict, InvalidInput, NotFound
from dangjian.core.models import SensitiveWord
from dangjian.exchange import actions, room_actions, room_queries
from dangjian.exchange.models import Membership, Message, ModerationEntry, Room
from dangjian.exchange.room_actions import NotAllowed, RoomInput
from dangjian.exchange.room_views import PAGE
from dangjian.tests_support import factories as f


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _say(user, room, body):
    return actions.post_message(user, room.pk, actions.MessageInput(body=body))


# --- Console: opening and changing rooms --------------------------------------------------------------------


def test_a_village_secretary_opens_a_village_room_after_reviewing_it_with_the_default_audience(county):
    secretary = county.village_a1_secretary
    client = _client(secretary)
    data = {"organization": county.village_a1.pk, "kind": "village", "name": "王庄村民群", "audience": ""}
    review = client.post(reverse("console:room_new"), data)
    assert review.status_code == 200 and "村（居）民、党员和工作人员" in review.content.decode()
    assert not Room.objects.exists()
    opened = client.post(reverse("console:room_new"), {**data, "step": "publish"})
    room = Room.objects.get()
    assert opened.status_code == 302 and opened["Location"] == reverse("console:room_members", args=[room.pk])
    assert room.audience == Room.Audience.RESIDENTS and room.organization == county.village_a1
    creator = Membership.objects.get(room=room)
    assert creator.user == secretary and creator.is_admin
    assert ChangeRecord.objects.filter(object_id=room.pk, action="create").exists()


def test_defaults_per_kind_and_a_topic_room_must_say_who_may_join(county):
    admin = county.town_a_admin
    for kind, audience in (("branch", "members"), ("staff", "staff"), ("village", "residents")):
        room = room_actions.create_room(admin, county.town_a.pk, RoomInput(kind=kind, name=f"{kind}群"))
        assert room.audience == audience
    response = _client(admin).post(
        reverse("console:room_new"),
        {"organization": county.town_a.pk, "kind": "topic", "name": "话题", "step": "publish"},
    )
    assert response.status_code == 400 and Room.objects.filter(kind="topic").count() == 0


def test_no_one_opens_a_room_outside_their_organizations(county):
    with pytest.raises(NotFound):
        room_actions.create_room(county.village_a1_secretary, county.town_b.pk, RoomInput(kind="branch", name="x"))
    with pytest.raises(NotFound):
        room_actions.create_room(county.town_b_discipline, county.town_b.pk, RoomInput(kind="branch", name="x"))
    # A forged organization id in a raw POST.
    response = _client(county.village_a1_secretary).post(
        reverse("console:room_new"),
        {"organization": county.village_b1.pk, "kind": "branch", "name": "x", "step": "publish"},
    )
    assert response.status_code == 400 and not Room.objects.exists()
    assert _client(county.town_b_discipline).get(reverse("console:room_new")).status_code == 404
    assert _client(county.town_b_discipline).get(reverse("console:exchange")).status_code == 404


def test_the_console_lists_the_rooms_of_the_subtree_with_members_and_last_message_only(county):
    alice = f.UserFactory(username="alice")
    room = f.room(county.village_a1, "王庄村民群", people=[alice])
    other = f.room(county.village_b1, "石桥村民群")
    _say(alice, room, "你好")
    html = _client(county.town_a_media).get(reverse("console:exchange")).content.decode()
    assert "王庄村民群" in html and "石桥村民群" not in html
    html = _client(county.county_admin).get(reverse("console:exchange")).content.decode()
    assert "王庄村民群" in html and "石桥村民群" in html
    own_page = _client(county.town_a_admin).get(reverse("console:exchange_org", args=[county.village_a1.pk]))
    assert own_page.status_code == 200
    assert _client(county.town_a_admin).get(reverse("console:exchange_org", args=[county.town_b.pk])).status_code == 403
    assert _client(county.town_a_admin).get(reverse("console:room_edit", args=[other.pk])).status_code == 404
    assert _client(county.town_a_admin).get(reverse("console:room_members", args=[other.pk])).status_code == 404


def test_editing_keeps_history_refuses_a_stale_version_and_records_a_settings_change(county):
    admin = county.town_a_admin
    room = f.room(county.village_a1, "王庄村民群", kind="village", audience="residents")
    data = RoomInput(kind="village", name="王庄村民交流群", audience="residents", review_before_publish=True)
    room_actions.save_room(admin, room.pk, data, expected_version=1)
    room.refresh_from_db()
    assert room.name == "王庄村民交流群" and room.review_before_publish and room.version == 2
    assert ModerationEntry.objects.filter(room=room, action="settings").count() == 1
    with pytest.raises(EditConflict):
        room_actions.save_room(
            admin, room.pk, RoomInput(kind="village", name="旧", audience="residents"), expected_version=1
        )
    response = _client(admin).post(
        reverse("console:room_edit", args=[room.pk]),
        {"kind": "village", "name": "别的名字", "audience": "residents", "version": 1},
    )
    assert response.status_code == 400 and "Someone else" not in response.content.decode()
    room.refresh_from_db()
    assert room.name == "王庄村民交流群"


def test_closing_a_room_stops_posting_and_joining_and_reopening_restores_it(county):
    admin = county.town_a_admin
    alice = f.UserFactory(username="alice")
    room = f.room(county.village_a1, "王庄党员群", people=[alice])
    client = _client(admin)
    client.post(reverse("console:room_edit", args=[room.pk]), {"do": "close", "version": room.version})
    room.refresh_from_db()
    assert room.closed_at is not None
    with pytest.raises(actions.NotInRoom):
        _say(alice, room, "还在吗")
    assert not room_queries.joinable_rooms(county.town_a_media)
    client.post(reverse("console:room_edit", args=[room.pk]), {"do": "reopen", "version": room.version})
    room.refresh_from_db()
    assert room.is_open and _say(alice, room, "又开了").pk


def test_settings_are_refused_to_another_organizations_staff_and_a_lesser_role(county):
    room = f.room(county.village_a1, "王庄村民群")
    data = RoomInput(kind="topic", name="改名", audience="members")
    for intruder in (county.town_b_discipline, f.staff("b_admin", "org_admin", county.town_b)):
        with pytest.raises(NotFound):
            room_actions.save_room(intruder, room.pk, data, expected_version=1)
        with pytest.raises(NotFound):
            room_actions.set_room_open(intruder, room.pk, False, expected_version=1)
        response = _client(intruder).post(
            reverse("console:room_edit", args=[room.pk]), {"do": "close", "version": room.version}
        )
        assert response.status_code == 404
    room.refresh_from_db()
    assert room.name == "王庄村民群" and room.is_open


def test_room_admins_are_appointed_among_staff_and_party_members_only(county):
    member_user = f.UserFactory(username="13600000002")
    f.member(county.village_a1, "王秀英", user=member_user)
    resident = f.resident("13700000001")
    room = f.room(county.village_a1, "王庄村民群", people=[member_user, resident], audience="residents")
    member_own = Membership.objects.get(room=room, user=member_user)
    resident_own = Membership.objects.get(room=room, user=resident)
    client = _client(county.village_a1_secretary)
    url = reverse("console:room_member_role", args=[room.pk, member_own.pk])
    assert client.post(url, {"role": "admin"}).status_code == 302
    member_own.refresh_from_db()
    assert member_own.is_admin
    assert ModerationEntry.objects.filter(room=room, membership=member_own, action="settings").exists()
    with pytest.raises(NotAllowed):
        room_actions.set_member_role(county.village_a1_secretary, room.pk, resident_own.pk, "admin")
    # Another organization's staff, a forged membership of another room, a GET.
    with pytest.raises(NotFound):
        room_actions.set_member_role(county.town_b_discipline, room.pk, member_own.pk, "member")
    elsewhere = f.room(county.village_a2, "李湾群", people=[f.UserFactory(username="x1")])
    forged = Membership.objects.get(room=elsewhere)
    assert (
        client.post(reverse("console:room_member_role", args=[room.pk, forged.pk]), {"role": "admin"}).status_code
        == 404
    )
    assert client.get(url).status_code == 405
    member_own.refresh_from_db()
    assert member_own.is_admin
    page = client.get(reverse("console:room_members", args=[room.pk])).content.decode()
    assert "王秀英" not in page and member_own.nickname in page


# --- Joining --------------------------------------------------------------------------------------------


def test_join_rules_follow_the_audience(county):
    member_user = f.UserFactory(username="m1")
    f.member(county.village_a1, "王秀英", user=member_user)
    far_member = f.UserFactory(username="m2")
    f.member(county.village_b1, "石大山", user=far_member)
    resident = f.resident("13700000001")
    residents_room = f.room(county.village_a1, "王庄村民群", audience="residents")
    members_room = f.room(county.village_a1, "王庄党员群", audience="members", kind="branch")
    staff_room = f.room(county.town_a, "东城镇新媒体群", audience="staff", kind="staff")

    room_actions.join_room(resident, residents_room.pk, "村东老李")
    with pytest.raises(NotAllowed):
        room_actions.join_room(resident, members_room.pk, "村东老李")
    room_actions.join_room(member_user, members_room.pk, "秀英")
    with pytest.raises(NotAllowed):
        room_actions.join_room(far_member, members_room.pk, "大山")
    with pytest.raises(NotAllowed):
        room_actions.join_room(member_user, staff_room.pk, "秀英")
    room_actions.join_room(county.village_a1_secretary, staff_room.pk, "王庄王书记")
    assert set(Membership.objects.values_list("nickname", flat=True)) == {"村东老李", "秀英", "王庄王书记"}
    page = _client(resident).get(reverse("exchange:room_join", args=[members_room.pk]))
    assert page.status_code == 403 and "党员" in page.content.decode()
    forged = _client(resident).post(reverse("exchange:room_join", args=[members_room.pk]), {"nickname": "硬闯"})
    assert forged.status_code == 403 and not Membership.objects.filter(nickname="硬闯").exists()


def test_a_member_who_left_may_join_again_but_a_removed_one_may_not(county):
    alice = f.UserFactory(username="alice")
    f.member(county.village_a1, "王秀英", user=alice)
    bob = f.UserFactory(username="bob")
    f.member(county.village_a1, "李四", user=bob)
    room = f.room(county.village_a1, "王庄党员群", people=[alice, bob])
    room_actions.leave_room(alice, room.pk)
    again = room_actions.join_room(alice, room.pk, "秀英回来了")
    assert again.is_active and Membership.objects.filter(room=room, user=alice).count() == 1
    Membership.objects.filter(room=room, user=bob).update(removed_at=timezone.now())
    with pytest.raises(NotAllowed, match="移出|removed"):
        room_actions.join_room(bob, room.pk, "换个名字")
    response = _client(bob).post(reverse("exchange:room_join", args=[room.pk]), {"nickname": "换个名字"})
    assert response.status_code == 403
    assert Membership.objects.get(room=room, user=bob).removed_at is not None


def test_nicknames_are_checked_required_short_unique_civil_and_not_official(county):
    SensitiveWord.objects.create(word="法轮", level=SensitiveWord.Level.BLOCK)
    SensitiveWord.objects.create(word="上访", level=SensitiveWord.Level.FLAG)
    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    for user in (alice, bob):
        f.member(county.village_a1, user=user)
    room = f.room(county.village_a1, "王庄党员群")
    room_actions.join_room(alice, room.pk, "  老 王  ")
    assert Membership.objects.get(user=alice).nickname == "老 王"
    for bad, words in (
        ("", "昵称"),
        ("长" * 21, "20"),
        ("老 王", "已经"),
        ("法轮大法", "法轮"),
        ("上访户", "上访"),
        ("官方客服", "官方"),
    ):
        with pytest.raises(InvalidInput, match=words):
            room_actions.join_room(bob, room.pk, bad)
    assert not Membership.objects.filter(user=bob).exists()
    client = _client(bob)
    page = client.get(reverse("exchange:room_join", args=[room.pk])).content.decode()
    assert 'name="nickname"' in page and "value=" not in page.split('name="nickname"')[1].split(">")[0]
    response = client.post(reverse("exchange:room_join", args=[room.pk]), {"nickname": "老 王"})
    assert response.status_code == 400 and "已经有人" in response.content.decode()
    response = client.post(reverse("exchange:room_join", args=[room.pk]), {"nickname": "小李"})
    assert response.status_code == 302 and response["Location"] == reverse("exchange:room", args=[room.pk])
    with pytest.raises(InvalidInput, match="已经"):
        room_actions.change_nickname(bob, room.pk, "老 王")
    room_actions.change_nickname(alice, room.pk, "王大爷")
    room_actions.change_nickname(bob, room.pk, "老 王")


def test_the_join_page_asks_a_visitor_to_sign_in_and_a_missing_room_is_404(county):
    room = f.room(county.village_a1, "王庄党员群", audience="members")
    response = Client().get(reverse("exchange:room_join", args=[room.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # A residents' room sends a visitor to the residents' sign-in (a mobile number and a code), then back.
    residents = f.room(county.village_a1, "王庄村民群", audience="residents")
    response = Client().get(reverse("exchange:room_join", args=[residents.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/rooms/residents/?next=")
    assert _client(county.nobody).get(reverse("exchange:room_join", args=[999999])).status_code == 404


# --- Unread counts, mute, the information page ----------------------------------------------------------


def test_unread_counts_leave_out_ones_own_messages_held_ones_and_muted_rooms(county):
    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob])
    other = f.room(county.village_a1, "王庄党员群", people=[alice, bob])
    SensitiveWord.objects.create(word="上访", level=SensitiveWord.Level.FLAG)
    _say(bob, room, "我自己的")
    _say(alice, room, "一")
    _say(alice, room, "二")
    _say(alice, room, "去上访")  # held: nobody else sees it yet
    _say(alice, other, "三")
    counts = {own.room.name: own.unread for own in room_queries.my_memberships(bob)}
    assert counts == {"王庄村民群": 2, "王庄党员群": 1}
    # Writing in a room reads it up to one's own message.
    _say(bob, other, "收到")
    assert {own.room.name: own.unread for own in room_queries.my_memberships(bob)}["王庄党员群"] == 0
    _say(alice, other, "四")
    assert room_queries.unread_total(bob) == 3
    room_actions.set_notifications_muted(bob, other.pk, True)
    assert room_queries.unread_total(bob) == 2
    html = _client(bob).get(reverse("exchange:rooms")).content.decode()
    assert "2 条未读" in html or "2 unread" in html
    # Reading the room clears its count.
    _client(bob).get(reverse("exchange:room", args=[room.pk]))
    assert room_queries.unread_total(bob) == 0
    panel = _client(bob).get("/console/")
    assert panel.status_code == 200


def test_the_rooms_page_lists_rooms_one_may_join_by_kind(county):
    member_user = f.UserFactory(username="m1")
    f.member(county.village_a1, "王秀英", user=member_user)
    f.room(county.village_a1, "王庄党员群", kind="branch", audience="members")
    f.room(county.village_a2, "李湾党员群", kind="branch", audience="members")
    f.room(county.town_a, "东城镇新媒体群", kind="staff", audience="staff")
    html = _client(member_user).get(reverse("exchange:rooms")).content.decode()
    assert "王庄党员群" in html and "李湾党员群" not in html and "东城镇新媒体群" not in html


def test_the_info_page_shows_nicknames_only_and_lets_a_member_mute_and_leave(county):
    alice = f.UserFactory(username="alice", full_name="王秀英", mobile="13600000002")
    room = f.room(county.village_a1, "王庄村民群", people=[alice], description="村务交流")
    client = _client(alice)
    html = client.get(reverse("exchange:room_info", args=[room.pk])).content.decode()
    assert "村务交流" in html and "alice" in html and "王秀英" not in html and "13600000002" not in html
    client.post(reverse("exchange:room_info", args=[room.pk]), {"do": "mute"})
    assert Membership.objects.get(user=alice).notifications_muted
    confirm = client.get(reverse("exchange:room_info", args=[room.pk]) + "?leave=1").content.decode()
    assert 'name="confirm"' in confirm
    unconfirmed = client.post(reverse("exchange:room_info", args=[room.pk]), {"do": "leave"})
    assert unconfirmed["Location"].endswith("?leave=1") and Membership.objects.get(user=alice).is_active
    response = client.post(reverse("exchange:room_info", args=[room.pk]), {"do": "leave", "confirm": "yes"})
    assert response["Location"] == reverse("exchange:rooms")
    assert not Membership.objects.get(user=alice).is_active
    assert client.get(reverse("exchange:room_info", args=[room.pk])).status_code == 404


def test_the_announcement_is_pinned_by_room_admins_and_managers_only_and_told_to_the_room(county):
    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[bob], admins=[alice])
    client = _client(alice)
    client.post(
        reverse("exchange:room_info", args=[room.pk]), {"do": "announcement", "pin-announcement": "周六打扫卫生"}
    )
    room.refresh_from_db()
    assert room.announcement == "周六打扫卫生" and room.announcement_by == alice
    notice = Message.objects.get(room=room)
    assert notice.kind == Message.Kind.NOTICE and "周六打扫卫生" in notice.body and notice.rev == room.last_rev
    assert ModerationEntry.objects.filter(room=room, action="pin").count() == 1
    # A plain member, another organization's staff, a manager above without joining.
    bob_post = _client(bob).post(
        reverse("exchange:room_info", args=[room.pk]), {"do": "announcement", "pin-announcement": "假公告"}
    )
    assert bob_post.status_code == 404
    with pytest.raises(NotFound):
        room_actions.set_announcement(county.town_b_discipline, room.pk, "假公告")
    room_actions.set_announcement(county.town_a_media, room.pk, "")
    room.refresh_from_db()
    assert room.announcement == "" and Message.objects.filter(room=room).count() == 2
    assert (
        "周六" not in _client(bob).get(reverse("exchange:room", args=[room.pk])).content.decode().split("messages")[0]
    )


# --- The room page: paging back, join button, read-only -----------------------------------------------------


def test_paging_back_reaches_the_first_message(county):
    alice = f.UserFactory(username="alice")
    room = f.room(county.village_a1, "王庄村民群", people=[alice])
    start = timezone.now() - datetime.timedelta(days=2)
    for n in range(PAGE * 2 + 5):
        Message.objects.create(room=room, author=alice, nickname="alice", body=f"第{n}条", rev=n + 1, created_at=start)
    Room.objects.filter(pk=room.pk).update(last_rev=PAGE * 2 + 5)
    client = _client(alice)
    url, seen, pages = reverse("exchange:room", args=[room.pk]), [], 0
    while url:
        html = client.get(url).content.decode()
        pages += 1
        seen += [n for n in range(PAGE * 2 + 5) if f"第{n}条<" in html]
        found = html.split('data-testid="earlier"')[0].rsplit('href="', 1)
        url = (
            reverse("exchange:room", args=[room.pk]) + found[1].split('"')[0] if 'data-testid="earlier"' in html else ""
        )
    assert pages == 3 and sorted(seen) == list(range(PAGE * 2 + 5))
    sixth = Message.objects.get(room=room, body="第5条").pk  # ids differ between databases
    assert "第0条" in client.get(reverse("exchange:room", args=[room.pk]) + f"?before={sixth}").content.decode()


def test_a_moderator_above_reads_without_joining_and_a_person_who_may_join_is_sent_to_join(county):
    member_user = f.UserFactory(username="m1")
    f.member(county.village_a1, "王秀英", user=member_user)
    room = f.room(county.village_a1, "王庄党员群", kind="branch", audience="members")
    html = _client(county.town_a_media).get(reverse("exchange:room", args=[room.pk])).content.decode()
    assert 'data-testid="read-only"' in html and 'id="composer"' not in html
    assert reverse("exchange:room_join", args=[room.pk]) in html
    response = _client(member_user).get(reverse("exchange:room", args=[room.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("exchange:room_join", args=[room.pk])
    assert _client(county.town_b_discipline).get(reverse("exchange:room", args=[room.pk])).status_code == 404


def test_usage_figures_count_rooms_and_messages_of_the_subtree(county):
    alice = f.UserFactory(username="alice")
    room = f.room(county.village_a1, "王庄村民群", people=[alice])
    f.room(county.village_b1, "石桥村民群")
    _say(alice, room, "一")
    _say(alice, room, "二")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert room_queries.active_rooms(county.town_a, today, tomorrow) == 1
    assert room_queries.messages_count(county.county, today, tomorrow) == 2
    assert room_queries.messages_count(county.town_b, today, tomorrow) == 0


def test_the_demo_rooms_are_made_from_the_demo_accounts_once(county):
    from dangjian.exchange import demo_rooms

    secretary = f.staff("village_secretary", "secretary", county.village_a1)
    f.staff("town_media", "media_officer", county.town_a)
    f.staff("town_admin", "org_admin", county.town_a)
    member_user = f.UserFactory(username="party_member")
    f.member(county.village_a1, "王秀英", user=member_user, sex="f")
    demo_rooms.load(None)
    demo_rooms.load(None)
    rooms = {room.name: room for room in Room.objects.all()}
    assert len(rooms) == 4
    village = rooms["王庄村村民群"]
    assert village.audience == "residents" and village.announcement and village.messages.count() == 1
    assert rooms["王庄村党员群"].audience == "members" and rooms["东城镇新媒体工作群"].audience == "staff"
    assert Membership.objects.get(room=village, user=secretary).is_admin
    assert Membership.objects.get(room=village, user=member_user).nickname == "王大姐"
    assert not Membership.objects.filter(nickname__contains="王秀英").exists()


def test_forged_ids_and_rooms_one_is_not_in_change_nothing(county):
    alice, eve = f.UserFactory(username="alice"), f.UserFactory(username="eve")
    room = f.room(county.village_a1, "王庄村民群", people=[alice])
    client = _client(eve)
    for data in ({"do": "mute"}, {"do": "leave", "confirm": "yes"}, {"do": "nickname", "nick-nickname": "冒名"}):
        assert client.post(reverse("exchange:room_info", args=[room.pk]), data).status_code == 404
        assert client.post(reverse("exchange:room_info", args=[999999]), data).status_code == 404
    for action in (
        lambda: room_actions.leave_room(eve, room.pk),
        lambda: room_actions.change_nickname(eve, room.pk, "冒名"),
        lambda: room_actions.set_notifications_muted(eve, room.pk, True),
        lambda: room_actions.join_room(eve, 999999, "冒名"),
    ):
        with pytest.raises(NotFound):
            action()
    own = Membership.objects.get(user=alice)
    assert own.is_active and own.nickname == "alice" and not own.notifications_muted
    assert _client(county.town_b_discipline).get(reverse("console:room_members", args=[room.pk])).status_code == 404


def test_the_portal_invites_residents_and_the_console_home_shows_my_unread_messages(county):
    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    f.member(county.village_a1, "王秀英", user=bob)
    room = f.room(county.village_a1, "王庄村民群", audience="residents", people=[alice, bob])
    portal = Client().get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert "加入村民群" in portal and reverse("exchange:room_join", args=[room.pk]) in portal
    town_portal = Client().get(reverse("orgs:portal", args=[county.town_a.pk])).content.decode()
    assert "加入村民群" not in town_portal
    _say(alice, room, "明天停水")
    home = _client(bob).get("/console/").content.decode()
    assert 'data-testid="my-rooms-panel"' in home and "1 条未读消息" in home
    org_page = _client(county.town_a_admin).get(reverse("console:organization", args=[county.village_a1.pk]))
    assert reverse("console:exchange_org", args=[county.village_a1.pk]) in org_page.content.decode()
