"""Moderation: held messages approved or rejected, reports made once and handled, members warned, muted, removed
and let back, the verified identity looked up only while handling a report (and audited); every action refused to
those who may not moderate the room, and written to a log read only within one's scope."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.models import SensitiveWord
from dangjian.exchange import access, actions, moderation, notices, screening
from dangjian.exchange.models import Membership, Message, ModerationEntry, PublicQuestion, Report, Room
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


class Scene:
    def __init__(self, county):
        self.county = county
        self.author = f.resident("13800000001", real_name="王大成")
        self.reader = f.resident("13800000002", real_name="李小花")
        self.room_admin = f.resident("13800000003", real_name="赵管")
        self.room = f.room(
            county.village_a1,
            "王庄村民群",
            people=[self.author, self.reader],
            admins=[self.room_admin],
            audience=Room.Audience.RESIDENTS,
        )
        self.secretary = county.village_a1_secretary  # MODERATE_ROOMS on the village
        self.township = county.town_a_admin  # MODERATE_ROOMS above
        self.other_village = f.staff("b1_secretary", Role.SECRETARY, county.village_b1)
        self.other_room = f.room(county.village_b1, "石桥村民群", people=[self.reader])
        for user, nickname in ((self.author, "老王"), (self.reader, "小花"), (self.room_admin, "赵管理")):
            Membership.objects.filter(user=user).update(nickname=nickname)
        self.membership = Membership.objects.get(room=self.room, user=self.author)

    def post(self, body="大家好", who=None) -> Message:
        return actions.post_message(who or self.author, self.room.pk, actions.MessageInput(body=body))


@pytest.fixture
def scene(county):
    return Scene(county)


TODO_LINK = r'<a href="([^"]+)" data-todo="(exchange\.[a-z_]+)"'


def entries(action=None):
    rows = ModerationEntry.objects.all()
    return rows.filter(action=action) if action else rows


# --- Screening ----------------------------------------------------------------------------------------------


def test_a_nickname_with_a_flagged_word_is_refused_when_strict(db):
    SensitiveWord.objects.create(word="刷单", level=SensitiveWord.Level.FLAG)
    assert screening.screen("刷单王").flagged == ["刷单"]
    with pytest.raises(InvalidInput, match="刷单") as refused:
        screening.screen("刷单王", field_name="nickname", strict=True)
    assert "nickname" in refused.value.errors


# --- Held messages ------------------------------------------------------------------------------------------


def test_a_flagged_message_is_held_the_moderators_are_told_once_and_approval_shows_it(scene):
    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    held = scene.post("我有内部消息")
    again = scene.post("还有内部消息")
    assert held.state == again.state == Message.State.HELD
    told = Notification.objects.filter(kind=notices.MESSAGE_HELD)
    assert {n.user_id for n in told} == {scene.secretary.pk, scene.room_admin.pk}  # once each, not per message
    rev = Room.objects.get(pk=scene.room.pk).last_rev
    moderation.approve_message(scene.township, held.pk)  # a township moderator acts on a village room
    held.refresh_from_db()
    assert held.state == Message.State.PUBLISHED and held.rev == rev + 1
    entry = entries(ModerationEntry.Action.APPROVE).get()
    assert (entry.actor, entry.message, entry.room) == (scene.township, held, scene.room)
    moderation.reject_message(scene.secretary, again.pk, "不实信息")
    again.refresh_from_db()
    assert again.state == Message.State.REMOVED and again.removed_by == scene.secretary
    assert entries(ModerationEntry.Action.REJECT).get().reason == "不实信息"
    with pytest.raises(ActionError):
        moderation.approve_message(scene.secretary, again.pk)


def test_every_action_is_refused_to_a_member_another_villages_moderator_and_a_revoked_officer(scene):
    message = scene.post("大家好")
    report = moderation.report_message(scene.reader, message.pk, Report.Reason.ABUSE)
    RoleGrant.objects.filter(user=scene.secretary).delete()
    scene.secretary.refresh_from_db()
    from django.contrib.auth import get_user_model

    revoked = get_user_model().objects.get(pk=scene.secretary.pk)
    for outsider in (scene.reader, scene.other_village, revoked, scene.county.town_b_discipline):
        with pytest.raises(Exception) as refused:
            moderation.remove_message(outsider, message.pk, "理由")
        assert refused.type.__name__ == "PermissionDenied"
        for run in (
            lambda u: moderation.dismiss_report(u, report.pk),
            lambda u: moderation.warn_member(u, scene.membership.pk, "注意"),
            lambda u: moderation.mute_member(u, scene.membership.pk, "1h", "刷屏"),
            lambda u: moderation.expel_member(u, scene.membership.pk, "广告"),
            lambda u: moderation.reveal_identity(u, scene.membership.pk, report.pk),
        ):
            with pytest.raises(Exception) as refused:
                run(outsider)
            assert refused.type.__name__ == "PermissionDenied"
    assert not entries().exists()
    message.refresh_from_db()
    assert message.state == Message.State.PUBLISHED
    assert Report.objects.get().state == Report.State.OPEN


def test_raw_posts_with_forged_ids_are_refused_and_change_nothing(client, scene):
    message = scene.post("大家好")
    foreign = actions.post_message(scene.reader, scene.other_room.pk, actions.MessageInput(body="石桥见"))
    foreign_membership = Membership.objects.get(room=scene.other_room, user=scene.reader)
    client.force_login(scene.secretary)
    response = client.post(reverse("console:moderation_message", args=[foreign.pk]), {"do": "remove", "reason": "越权"})
    assert response.status_code == 403
    response = client.post(
        reverse("console:moderation_member", args=[foreign_membership.pk]), {"do": "expel", "reason": "越权"}
    )
    assert response.status_code == 403
    client.post(reverse("console:moderation_message", args=[999999]), {"do": "remove", "reason": "x"})
    client.force_login(scene.reader)  # a member of both rooms
    for url, data in (
        (reverse("console:moderation_message", args=[message.pk]), {"do": "remove", "reason": "x"}),
        (reverse("console:moderation_member", args=[scene.membership.pk]), {"do": "mute", "duration": "7d"}),
        (reverse("console:member_identity", args=[scene.membership.pk]), {"report": "1"}),
    ):
        assert client.post(url, data).status_code == 403
    assert not entries().exists()
    assert set(Message.objects.values_list("state", flat=True)) == {Message.State.PUBLISHED}
    assert Membership.objects.get(pk=foreign_membership.pk).is_active


# --- Reports ------------------------------------------------------------------------------------------------


def test_anyone_in_the_room_reports_once_never_their_own_and_moderators_are_told(client, scene):
    message = scene.post("你们都是骗子")
    client.force_login(scene.reader)
    page = client.get(reverse("exchange:room", args=[scene.room.pk])).content.decode()
    assert reverse("exchange:message_report", args=[message.pk]) in page
    form = client.get(reverse("exchange:message_report", args=[message.pk]))
    assert form.status_code == 200 and "辱骂" in form.content.decode() and "举报" in form.content.decode()
    assert client.post(reverse("exchange:message_report", args=[message.pk]), {"reason": ""}).status_code == 400
    response = client.post(
        reverse("exchange:message_report", args=[message.pk]), {"reason": "abuse", "details": "骂人"}, follow=True
    )
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.details) == (scene.reader, "abuse", "骂人")
    with pytest.raises(ActionError, match="已经举报"):
        moderation.report_message(scene.reader, message.pk, "rumour")
    with pytest.raises(ActionError):
        moderation.report_message(scene.author, message.pk, "abuse")
    with pytest.raises(NotFound):  # an outsider cannot read the room
        moderation.report_message(scene.other_village, message.pk, "abuse")
    client.force_login(scene.author)
    own = client.get(reverse("exchange:room", args=[scene.room.pk])).content.decode()
    assert reverse("exchange:message_report", args=[message.pk]) not in own
    assert Report.objects.count() == 1
    told = set(Notification.objects.filter(kind=notices.MESSAGE_REPORTED).values_list("user_id", flat=True))
    assert told == {scene.secretary.pk, scene.room_admin.pk}


def test_a_reported_message_removed_disappears_from_the_page_and_the_report_is_handled(client, scene):
    message = scene.post("加微信领补贴 abc123")
    moderation.report_message(scene.reader, message.pk, Report.Reason.ADVERTISING)
    client.force_login(scene.secretary)
    queue = client.get(reverse("console:moderation")).content.decode()
    assert "加微信领补贴" in queue and "广告" in queue and "王庄村民群" in queue
    with pytest.raises(InvalidInput):
        moderation.remove_message(scene.secretary, message.pk, "   ")
    response = client.post(
        reverse("console:moderation_message", args=[message.pk]),
        {"do": "remove", "reason": "诈骗广告", "report": str(Report.objects.get().pk)},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == Message.State.REMOVED and message.removed_reason == "诈骗广告"
    assert Report.objects.get().state == Report.State.HANDLED
    client.force_login(scene.reader)
    page = client.get(reverse("exchange:room", args=[scene.room.pk])).content.decode()
    assert "加微信领补贴" not in page and f'id="m{message.pk}"' in page
    entry = entries(ModerationEntry.Action.REMOVE).get()
    assert entry.report == Report.objects.get() and entry.reason == "诈骗广告"


def test_a_dismissed_report_leaves_the_message_and_the_queue(client, scene):
    message = scene.post("明天停水吗")
    report = moderation.report_message(scene.reader, message.pk, Report.Reason.RUMOUR)
    moderation.dismiss_report(scene.room_admin, report.pk)  # a room admin moderates their room
    report.refresh_from_db()
    assert report.state == Report.State.DISMISSED and report.handled_by == scene.room_admin
    assert entries(ModerationEntry.Action.DISMISS).get().actor == scene.room_admin
    assert not moderation.waiting_messages(scene.secretary).exists()


# --- Members ------------------------------------------------------------------------------------------------


def test_a_muted_member_is_refused_with_the_time_and_unmuted_may_speak(scene):
    moderation.mute_member(scene.secretary, scene.membership.pk, "1h", "刷屏")
    scene.membership.refresh_from_db()
    until = timezone.localtime(scene.membership.muted_until).strftime("%m-%d %H:%M")
    with pytest.raises(ActionError, match=until):
        scene.post("我还要说")
    assert Notification.objects.filter(user=scene.author, kind=notices.MEMBER_MUTED).exists()
    entry = entries(ModerationEntry.Action.MUTE).get()
    assert entry.until == scene.membership.muted_until and entry.reason == "刷屏"
    with pytest.raises(InvalidInput):
        moderation.mute_member(scene.secretary, scene.membership.pk, "forever", "刷屏")
    moderation.unmute_member(scene.secretary, scene.membership.pk)
    assert scene.post("好的").state == Message.State.PUBLISHED
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        moderation.mute_member(scene.secretary, scene.membership.pk, "10m", "再次刷屏")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=12)):
        assert scene.post("解除了").state == Message.State.PUBLISHED


def test_a_warning_tells_the_member_the_reason(scene):
    moderation.warn_member(scene.secretary, scene.membership.pk, "请文明发言")
    notice = Notification.objects.get(user=scene.author, kind=notices.MEMBER_WARNED)
    assert notice.params["reason"] == "请文明发言"
    assert entries(ModerationEntry.Action.WARN).get().membership == scene.membership


def test_an_expelled_member_cannot_post_or_rejoin_until_readmitted(scene):
    moderation.expel_member(scene.secretary, scene.membership.pk, "多次发广告")
    with pytest.raises(actions.NotInRoom):
        scene.post("我回来了")
    assert not access.may_join(scene.author, scene.room)
    assert not access.may_read(scene.author, scene.room)
    with pytest.raises(ActionError):
        moderation.expel_member(scene.secretary, scene.membership.pk, "再次")
    moderation.readmit_member(scene.township, scene.membership.pk)
    assert access.may_join(scene.author, scene.room)
    assert list(entries().values_list("action", flat=True)) == ["readmit", "expel"]


def test_a_room_admin_cannot_act_on_staff_or_another_admin_and_nobody_on_themselves(scene):
    other_admin = f.resident("13800000009")
    admin_membership = Membership.objects.create(
        room=scene.room, user=other_admin, nickname="二管", role=Membership.Role.ADMIN
    )
    staff_membership = Membership.objects.create(room=scene.room, user=scene.secretary, nickname="书记")
    with pytest.raises(ActionError):
        moderation.mute_member(scene.room_admin, admin_membership.pk, "1h", "x")
    with pytest.raises(ActionError):
        moderation.expel_member(scene.room_admin, staff_membership.pk, "x")
    with pytest.raises(ActionError):
        moderation.expel_member(scene.secretary, staff_membership.pk, "x")
    moderation.warn_member(scene.secretary, admin_membership.pk, "注意")  # MODERATE_ROOMS acts on an admin
    assert entries().count() == 1


# --- The verified identity ----------------------------------------------------------------------------------


def test_the_identity_is_shown_only_with_an_open_report_and_moderate_rooms_and_each_look_is_audited(client, scene):
    message = scene.post("骗子")
    with pytest.raises(ActionError):  # no report yet
        moderation.reveal_identity(scene.secretary, scene.membership.pk, 0)
    report = moderation.report_message(scene.reader, message.pk, Report.Reason.ABUSE)
    with pytest.raises(Exception) as refused:  # a room admin without MODERATE_ROOMS
        moderation.reveal_identity(scene.room_admin, scene.membership.pk, report.pk)
    assert refused.type.__name__ == "PermissionDenied"
    reader_membership = Membership.objects.get(room=scene.room, user=scene.reader)
    with pytest.raises(ActionError):  # the report is not about the reader's message
        moderation.reveal_identity(scene.secretary, reader_membership.pk, report.pk)
    assert not entries(ModerationEntry.Action.IDENTITY).exists()

    client.force_login(scene.secretary)
    queue = client.get(reverse("console:moderation")).content.decode()
    assert "王大成" not in queue and "13800000001" not in queue
    assert reverse("console:member_identity", args=[scene.membership.pk]) in queue
    assert client.get(reverse("console:member_identity", args=[scene.membership.pk])).status_code == 405
    answer = client.post(reverse("console:member_identity", args=[scene.membership.pk]), {"report": report.pk})
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    shown = answer.content.decode()
    assert "王大成" in shown and "13800000001" in shown
    entry = entries(ModerationEntry.Action.IDENTITY).get()
    assert (entry.actor, entry.membership, entry.report) == (scene.secretary, scene.membership, report)
    log = client.get(reverse("console:moderation_log")).content.decode()
    assert "王大成" not in log and "13800000001" not in log

    moderation.dismiss_report(scene.secretary, report.pk)
    with pytest.raises(ActionError):  # the report is handled: no more looks
        moderation.reveal_identity(scene.secretary, scene.membership.pk, report.pk)


# --- Queue, to-do and log scope -----------------------------------------------------------------------------


def test_the_queue_and_log_show_only_ones_rooms_and_the_todo_counts_what_the_link_lists(client, scene):
    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    held = scene.post("我有内部消息")
    reported = scene.post("广告广告")
    moderation.report_message(scene.reader, reported.pk, Report.Reason.ADVERTISING)
    foreign = actions.post_message(scene.reader, scene.other_room.pk, actions.MessageInput(body="石桥的事"))
    moderation.remove_message(scene.other_village, foreign.pk, "石桥删除")
    moderation.warn_member(scene.secretary, scene.membership.pk, "王庄警告")

    client.force_login(scene.secretary)
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    lines = {
        key: link.replace("&amp;", "&")
        for link, key in re.findall(r'<a href="([^"]+)" data-todo="(exchange\.[a-z_]+)"', dashboard)
    }
    assert set(lines) == {"exchange.held_messages", "exchange.reported_messages"}
    for key, expected in (("exchange.held_messages", [held.pk]), ("exchange.reported_messages", [reported.pk])):
        response = client.get(lines[key])
        assert response.context["page"].paginator.count == len(expected)
        assert [item["message"].pk for item in response.context["items"]] == expected
    queue = client.get(reverse("console:moderation")).content.decode()
    assert "<mark" in queue and "内部消息" in queue and "石桥的事" not in queue
    log = client.get(reverse("console:moderation_log")).content.decode()
    assert "王庄警告" in log and "石桥删除" not in log

    client.force_login(scene.other_village)
    log = client.get(reverse("console:moderation_log")).content.decode()
    assert "石桥删除" in log and "王庄警告" not in log
    assert "内部消息" not in client.get(reverse("console:moderation")).content.decode()

    client.force_login(scene.county.county_admin)  # above both villages
    log = client.get(reverse("console:moderation_log")).content.decode()
    assert "石桥删除" in log and "王庄警告" in log

    client.force_login(scene.county.town_b_discipline)  # staff without MODERATE_ROOMS
    assert client.get(reverse("console:moderation")).status_code == 403
    assert client.get(reverse("console:moderation_log")).status_code == 403


def test_a_room_admin_without_a_console_role_reads_the_queue_of_their_room(client, scene):
    message = scene.post("有人吗")
    moderation.report_message(scene.reader, message.pk, Report.Reason.OTHER)
    client.force_login(scene.room_admin)
    response = client.get(reverse("console:moderation"))
    assert response.status_code == 200 and "有人吗" in response.content.decode()
    assert "See the verified identity" not in response.content.decode()
    assert reverse("console:member_identity", args=[scene.membership.pk]) not in response.content.decode()


# --- Held questions (问政) -------------------------------------------------------------------------------------


def held_question(scene, title="我们要不要集体上访？"):
    from dangjian.exchange import questions

    SensitiveWord.objects.get_or_create(word="上访", defaults={"level": SensitiveWord.Level.FLAG})
    question = questions.ask_question(
        scene.author, scene.county.village_a1.pk, questions.QuestionInput(title=title, nickname="老王")
    )
    assert question.state == PublicQuestion.State.HELD
    return question


def test_held_questions_wait_in_the_queue_and_are_approved_or_rejected_with_plain_forms(client, scene):
    first = held_question(scene)
    second = held_question(scene, title="上访的事情怎么办理？")
    client.force_login(scene.secretary)
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    lines = {key: link.replace("&amp;", "&") for link, key in re.findall(TODO_LINK, dashboard)}
    assert "exchange.held_questions" in lines
    assert "2 个问政问题等待审核" in dashboard
    page = client.get(lines["exchange.held_questions"])
    html = page.content.decode()
    assert [q.pk for q in page.context["questions"]] == [first.pk, second.pk]
    assert "我们要不要集体<mark" in html and "问政待审（2）" in html
    url = reverse("console:moderation_question", args=[first.pk])
    assert f'action="{url}"' in html

    approved = client.post(url, {"do": "approve", "show": "questions"}, follow=True)
    assert "问题已公开" in approved.content.decode()
    first.refresh_from_db()
    assert first.state == PublicQuestion.State.OPEN
    url = reverse("console:moderation_question", args=[second.pk])
    refused = client.post(url, {"do": "reject", "reason": " ", "show": "questions"}, follow=True)
    assert "请简要说明原因" in refused.content.decode()
    client.post(url, {"do": "reject", "reason": "与本村事务无关", "show": "questions"})
    second.refresh_from_db()
    assert second.state == PublicQuestion.State.REMOVED and second.removed_reason == "与本村事务无关"
    assert [(e.action, e.question_id, e.actor_id, e.reason) for e in entries().order_by("id")] == [
        (ModerationEntry.Action.APPROVE_QUESTION, first.pk, scene.secretary.pk, ""),
        (ModerationEntry.Action.REJECT_QUESTION, second.pk, scene.secretary.pk, "与本村事务无关"),
    ]
    log = client.get(reverse("console:moderation_log")).content.decode()
    assert "与本村事务无关" in log and "上访的事情怎么办理？" in log
    client.force_login(scene.county.county_admin)  # the organizations above read the log too
    assert "与本村事务无关" in client.get(reverse("console:moderation_log")).content.decode()
    client.force_login(scene.other_village)
    assert "与本村事务无关" not in client.get(reverse("console:moderation_log")).content.decode()


def test_a_held_question_is_out_of_reach_of_another_village_and_of_a_member(client, scene):
    question = held_question(scene)
    url = reverse("console:moderation_question", args=[question.pk])
    client.force_login(scene.other_village)
    page = client.get(reverse("console:moderation") + "?show=questions").content.decode()
    assert "上访" not in page
    assert client.post(url, {"do": "approve"}).status_code == 404
    assert client.post(url, {"do": "reject", "reason": "不行"}).status_code == 404
    client.force_login(scene.reader)  # a member of the room, no console role
    assert client.post(url, {"do": "approve"}).status_code == 404
    client.force_login(scene.room_admin)  # a room admin does not hold MODERATE_ROOMS
    assert client.post(url, {"do": "approve"}).status_code == 404
    assert client.get(reverse("console:moderation") + "?show=questions").context["questions"] == []
    question.refresh_from_db()
    assert question.state == PublicQuestion.State.HELD and not entries().exists()


# --- The demo -----------------------------------------------------------------------------------------------


def test_the_demo_makes_a_held_a_reported_and_a_removed_message_in_the_village_room(scene):
    from dangjian.exchange import demo_moderation

    assert demo_moderation.load(None) == []  # the scene's room is a topic room: no village room yet
    Room.objects.filter(pk=scene.room.pk).update(kind=Room.Kind.VILLAGE)
    lines = demo_moderation.load(None)
    assert lines and "王庄村民群" in lines[0]
    states = list(Message.objects.order_by("id").values_list("state", flat=True))
    assert states == [Message.State.HELD, Message.State.PUBLISHED, Message.State.REMOVED]
    assert Message.objects.get(state=Message.State.HELD).flagged_words == ["内部消息"]
    assert Report.objects.get().state == Report.State.OPEN
    assert entries(ModerationEntry.Action.REMOVE).get().actor == scene.secretary
