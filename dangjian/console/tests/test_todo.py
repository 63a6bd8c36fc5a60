"""Each role sees its own work (issue 11 item 8): the to-do at the top of the console home, from the modules'
ToDo entries, each line linking to exactly the items it counts; menus only with what the role can act on."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.feedback import actions, clock
from dangjian.feedback.models import Case, FeedbackSettings
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def new_case(place, title="村口路灯坏了"):
    case, _password, _created = actions.submit_case(
        place_id=place.pk,
        category="help",
        title=title,
        description="王庄村村口路灯坏了三个月，晚上看不见路。",
        client_token=uuid.uuid4(),
    )
    return case


def todo(client, user) -> dict[str, tuple[str, str]]:
    """The to-do lines of the user's console home: key → (text, link)."""
    client.force_login(user)
    page = client.get(reverse("console:dashboard")).content.decode()
    section = re.search(r'<section class="card todo".*?</section>', page, re.S)
    assert section, "the to-do comes first on every console home"
    assert page.index('class="card todo"') < page.find("<h2", page.index("<h1") + 1) + 1
    return {
        key: (text, link.replace("&amp;", "&"))
        for link, key, text in re.findall(r'<a href="([^"]+)" data-todo="([^"]+)">([^<]+)</a>', section.group(0))
    }


def listed(client, user, link) -> int:
    client.force_login(user)
    response = client.get(link)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def _cases_in_every_state(county):
    """At 王庄村 (whose replies need the secretary's approval) and one at 李湾村."""
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    a1_admin = f.staff("a1_admin", Role.ORG_ADMIN, county.village_a1)
    new_case(county.village_a1, "收到一")
    new_case(county.village_a1, "收到二")
    new_case(county.village_a2, "李湾村收到")
    accepted = new_case(county.village_a1, "已受理")
    actions.accept_case(county.town_a_admin, accepted.pk)
    dispatched = new_case(county.village_a1, "派到村")
    actions.accept_case(county.town_a_admin, dispatched.pk)
    actions.dispatch_case(county.town_a_admin, dispatched.pk, county.village_a1.pk)
    working = new_case(county.village_a1, "办理中")
    actions.accept_and_handle_case(county.village_a1_secretary, working.pk)
    waiting = new_case(county.village_a1, "待审核")
    actions.accept_and_handle_case(a1_admin, waiting.pk)
    actions.answer_case(a1_admin, waiting.pk, "已修好")
    # Raised at the township itself and not accepted in time: the clock sends it to the county (督办).
    late = new_case(county.town_a, "镇上超期未受理")
    Case.objects.filter(pk=late.pk).update(accept_deadline=timezone.now() - datetime.timedelta(hours=1))
    clock.scan_deadlines()
    return a1_admin


def test_a_village_secretary_sees_one_case_to_accept_and_the_link_lists_it(client, county):
    new_case(county.village_a1)
    new_case(county.village_b1)  # another township's: not theirs
    lines = todo(client, county.village_a1_secretary)
    assert lines["feedback.accept"][0] == "您有 1 件待受理"
    assert listed(client, county.village_a1_secretary, lines["feedback.accept"][1]) == 1


@pytest.mark.parametrize("who", ["village_a1_secretary", "town_a_admin", "county_admin", "a1_admin", "a2_secretary"])
def test_every_count_equals_what_its_link_lists(client, county, who):
    a1_admin = _cases_in_every_state(county)
    people = {"a1_admin": a1_admin, "a2_secretary": f.staff("a2_secretary", Role.SECRETARY, county.village_a2)}
    user = people.get(who) or getattr(county, who)
    lines = todo(client, user)
    assert lines, who
    for key, (text, link) in lines.items():
        n = int(re.search(r"\d+", text).group())
        assert listed(client, user, link) == n, (who, key, text)


def test_the_counts_follow_each_role(client, county):
    a1_admin = _cases_in_every_state(county)
    secretary = {key: text for key, (text, _link) in todo(client, county.village_a1_secretary).items()}
    # "已受理" was accepted by the township, so the township dispatches it, not the village.
    assert secretary == {
        "feedback.accept": "您有 2 件待受理",
        "feedback.start": "您有 1 件派来的案件待签收",
        "feedback.answer": "您有 1 件待答复",
        "feedback.approve": "您有 1 条答复待审核",  # the secretary is the village's head
    }
    admin = {key: text for key, (text, _link) in todo(client, a1_admin).items()}
    assert "feedback.approve" not in admin  # an administrator does not approve replies
    town = {key: text for key, (text, _link) in todo(client, county.town_a_admin).items()}
    # Both villages' new cases (the township is right above them) and its own; it dispatches what it accepted.
    assert town["feedback.accept"] == "您有 4 件待受理"
    assert town["feedback.dispatch"] == "您有 1 件待派单"
    assert "feedback.answer" not in town and "feedback.start" not in town  # the villages' work
    # The county answers none of the villages' cases: its own work is what is raised right below it and what
    # was sent up to it overdue.
    county_lines = {key: text for key, (text, _link) in todo(client, county.county_admin).items()}
    assert county_lines == {"feedback.accept": "您有 1 件待受理", "feedback.supervise": "您有 1 件超期案件待督办"}


def test_the_county_administrator_is_not_told_of_the_villages_unanswered_cases(client, county):
    for n in range(3):
        case = new_case(county.village_a1, f"路灯{n}")
        actions.accept_and_handle_case(county.village_a1_secretary, case.pk)
    assert todo(client, county.county_admin) == {}
    assert todo(client, county.village_a1_secretary)["feedback.answer"][0] == "您有 3 件待答复"


def test_no_to_do_is_said_plainly(client, county):
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert "您现在没有待办事项。" in page and "data-todo=" not in page


def test_a_new_media_officer_has_no_feedback_inbox_in_the_menu_and_is_told_why_on_it(client, county):
    new_case(county.village_a1)
    client.force_login(county.town_a_media)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert reverse("console:feedback_inbox") not in page
    assert "您现在没有待办事项。" in page
    inbox = client.get(reverse("console:feedback_inbox")).content.decode()
    assert "您的角色不办理群众反馈" in inbox


MENUS = {
    "county_admin": {"feedback", "members", "notifications", "meeting_office", "notices", "submissions"},
    "town_a_admin": {"feedback", "members", "notifications", "meeting_office", "notices", "submissions"},
    "village_a1_secretary": {"feedback", "members", "notifications", "meeting_office", "notices", "submissions"},
    "town_a_media": {"notifications", "notices", "submissions"},
    "town_b_discipline": {"supervision", "notifications", "notices"},
    "nobody": {"notifications"},
}
# Publishing: 文章发布 for those who write or review articles; the sensitive-word list for the top organization's
# administrator.
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"articles"}
MENUS["county_admin"] = MENUS["county_admin"] | {"sensitive_words"}
# Learning: 学习课程 for those who write or publish courses (administrators, secretaries, media officers).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"courses"}
# Learning: 我的学习 for everyone who learns, as a party member or as a role holder (staff courses).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media", "town_b_discipline"):
    MENUS[_who] = MENUS[_who] | {"my_learning"}
# Learning: 题库 for those who keep question banks (MANAGE_QUESTIONS).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"question_banks"}
# Learning: 考试 for those who manage question banks and exams (MANAGE_QUESTIONS).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"exams"}
# Learning: 培训 for those who organize training sessions (MANAGE_TRAINING).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary"):
    MENUS[_who] = MENUS[_who] | {"training"}
# Learning, assessment of new-media officers: 人员考核 for those who manage assessments (我的考核 only for someone
# with an assessment).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary"):
    MENUS[_who] = MENUS[_who] | {"assessments"}

# Exchange, questions to the organization: 问政 for those who answer them (ANSWER_QUESTIONS).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"public_questions"}
# Exchange, rooms: 交流互动 for those who open or moderate rooms (MANAGE_ROOMS, MODERATE_ROOMS); 群消息管理 appears
# only once a room to moderate exists.
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"exchange"}
# Usage summaries: 使用汇总 for the holders of VIEW_SUMMARIES (admins, secretaries, media officers).
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"summaries"}
# The moderation queue also holds the questions held for review, so it is there for whoever reviews questions.
for _who in ("county_admin", "town_a_admin", "village_a1_secretary", "town_a_media"):
    MENUS[_who] = MENUS[_who] | {"moderation"}


@pytest.mark.parametrize("who", sorted(MENUS))
def test_each_role_sees_only_the_menu_items_it_can_act_on(rf, county, who):
    from dangjian.console.context_processors import menu_for

    request = rf.get("/console/")
    request.user = getattr(county, who)
    assert {item.key for item in menu_for(request)} == MENUS[who]


def test_a_handler_who_is_told_of_the_calendar_gap_can_enter_it(client, county):
    """The missing-year warning only for those who can act on it (the root's settings administrator)."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2099, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        client.force_login(county.village_a1_secretary)
        assert "节假日" not in client.get(reverse("console:feedback_inbox")).content.decode()
        client.force_login(county.county_admin)
        page = client.get(reverse("console:feedback_inbox")).content.decode()
        assert "2099" in page and reverse("console:calendar") in page


def test_a_user_without_a_role_sees_no_to_do_and_no_work_menus(client, county):
    client.force_login(county.nobody)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert 'class="card todo"' not in page
    assert reverse("console:feedback_inbox") not in page and reverse("console:supervision_inbox") not in page


def test_a_forged_todo_filter_lists_nothing_beyond_ones_scope(
    client,
    county,
):
    new_case(county.village_b1)
    client.force_login(county.village_a1_secretary)
    response = client.get(reverse("console:feedback_inbox") + "?view=all&todo=accept")
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("console:feedback_inbox") + "?view=all&todo=nonsense")
    assert response.status_code == 200


def test_the_rooms_held_and_reported_messages_are_counted_for_their_moderators_only(client, county):
    from dangjian.core.models import SensitiveWord
    from dangjian.exchange import actions as room_actions
    from dangjian.exchange import moderation
    from dangjian.exchange.models import Report

    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    alice, bob = f.UserFactory(username="alice"), f.UserFactory(username="bob")
    room = f.room(county.village_a1, "王庄村民群", people=[alice, bob])
    room_actions.post_message(alice, room.pk, room_actions.MessageInput(body="我有内部消息"))
    room_actions.post_message(alice, room.pk, room_actions.MessageInput(body="还有内部消息"))
    shown = room_actions.post_message(alice, room.pk, room_actions.MessageInput(body="卖保健品"))
    moderation.report_message(bob, shown.pk, Report.Reason.ADVERTISING)
    for user in (county.village_a1_secretary, county.town_a_admin):
        lines = todo(client, user)
        assert lines["exchange.held_messages"][0] == "您管理的群有 2 条消息等待审核"
        assert lines["exchange.reported_messages"][0] == "有 1 条被举报的消息等待您处理"
        for key in ("exchange.held_messages", "exchange.reported_messages"):
            text, link = lines[key]
            assert listed(client, user, link) == int(re.search(r"\d+", text).group())
    other = f.staff("b1_secretary", Role.SECRETARY, county.village_b1)
    assert not {"exchange.held_messages", "exchange.reported_messages"} & set(todo(client, other))


def test_open_questions_are_the_to_do_of_those_who_answer_for_their_organization_and_the_link_lists_them(
    client, county
):
    from dangjian.exchange import questions

    asker = f.resident("13700002222")

    def ask(org, title):
        return questions.ask_question(
            asker, org.pk, questions.QuestionInput(title=title, nickname="老李"), limited=False
        )

    ask(county.village_a1, "王庄村的低保什么时候申请？")
    ask(county.village_a1, "王庄村的路灯什么时候修？")
    answered = ask(county.village_a1, "王庄村的垃圾什么时候清？")
    questions.answer_question(county.village_a1_secretary, answered.pk, "每周二清运。")
    ask(county.town_a, "东城镇的养老补贴怎么领？")
    ask(county.village_b1, "石桥村的桥什么时候修？")  # another township's
    secretary = todo(client, county.village_a1_secretary)
    assert secretary["exchange.questions_waiting"][0] == "2 条问政待答复"
    media = todo(client, county.town_a_media)
    assert media["exchange.questions_waiting"][0] == "1 条问政待答复"  # the township's own, not the villages'
    for user in (county.village_a1_secretary, county.town_a_media):
        text, link = todo(client, user)["exchange.questions_waiting"]
        assert listed(client, user, link) == int(re.search(r"\d+", text).group())
    assert "exchange.questions_waiting" not in todo(client, county.town_b_discipline)
