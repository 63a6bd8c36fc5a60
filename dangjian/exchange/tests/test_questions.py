"""Questions to the organization (问政): asking on a portal or from a room, the portal's list, search and pages, the
official answer, removal, and a question turned into a feedback case that enters the closed loop."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, EditConflict, InvalidInput
from dangjian.core.models import ChangeRecord, SensitiveWord
from dangjian.core.registry import UsageMetric, registry
from dangjian.exchange import actions, questions
from dangjian.exchange.models import PublicQuestion, Room
from dangjian.feedback import actions as feedback_actions
from dangjian.feedback.models import Case, State
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db

Q = PublicQuestion.State


@pytest.fixture
def resident(county):
    return f.resident("13700001111", real_name="李秀英")


def ask(user, org, title="今年的低保申请什么时候开始？", body="", nickname="老李", token=None, **kwargs):
    return questions.ask_question(
        user,
        org.pk,
        questions.QuestionInput(title=title, body=body, nickname=nickname, client_token=token, **kwargs),
    )


def form(title="今年的低保申请什么时候开始？", body="", nickname="老李", token=None, **extra):
    return {"title": title, "body": body, "nickname": nickname, "client_token": str(token or uuid.uuid4()), **extra}


# --- Asking -------------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_verify_and_comes_back(client, county):
    url = reverse("exchange:ask", args=[county.village_a1.pk])
    response = client.get(url)
    assert response.status_code == 302
    # To the residents' verification when it is there, else to sign in; back to the form afterwards.
    assert "/rooms/residents/" in response["Location"] or "/accounts/login/" in response["Location"]
    assert "next=" in response["Location"]
    assert url.replace("/", "%2F") in response["Location"]
    response = client.post(url, form())
    assert response.status_code == 302 and not PublicQuestion.objects.exists()


def test_an_account_that_is_neither_resident_member_nor_staff_may_not_ask(client, county):
    with pytest.raises(PermissionDenied):
        ask(county.nobody, county.village_a1)
    client.force_login(county.nobody)
    response = client.post(reverse("exchange:ask", args=[county.village_a1.pk]), form())
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not PublicQuestion.objects.exists()


def test_a_resident_asks_on_the_portal_and_sees_the_question_published(client, county, resident):
    client.force_login(resident)
    url = reverse("exchange:ask", args=[county.village_a1.pk])
    page = client.get(url)
    assert page.status_code == 200 and "李秀英" not in page.content.decode()
    response = client.post(url, form(body="我家今年收入下降，想问问怎么申请。"), follow=True)
    question = PublicQuestion.objects.get()
    assert question.state == Q.OPEN and question.asker == resident and question.nickname == "老李"
    assert question.organization == county.village_a1
    assert response.redirect_chain[-1][0] == reverse("exchange:question", args=[county.village_a1.pk, question.pk])
    assert "今年的低保申请什么时候开始？" in response.content.decode()
    # History: one record of the creation.
    assert ChangeRecord.objects.filter(object_id=question.pk, action=ChangeRecord.Action.CREATE).count() == 1


def test_a_party_member_and_staff_may_ask(county):
    member = f.member(county.village_a1)
    user = f.UserFactory(username="member1")
    member.user = user
    member.save()
    assert ask(user, county.village_a1).state == Q.OPEN
    assert ask(county.town_a_media, county.village_a1, title="村里的路灯什么时候修？", nickname="小张").state == Q.OPEN


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"title": "低保？"}, "title", "至少"),
        ({"title": "问" * 101}, "title", "100"),
        ({"body": "长" * 2001}, "body", "2000"),
        ({"nickname": ""}, "nickname", ""),
        ({"nickname": "李秀英"}, "nickname", "真实姓名"),
        ({"nickname": "老李13812345678"}, "nickname", "号码"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(client, county, resident, data, field, words):
    client.force_login(resident)
    response = client.post(reverse("exchange:ask", args=[county.village_a1.pk]), form(**data))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert words in " ".join(response.context["form"].errors[field])
    assert not PublicQuestion.objects.exists()


def test_markup_is_shown_as_text(client, county, resident):
    client.force_login(resident)
    client.post(
        reverse("exchange:ask", args=[county.village_a1.pk]),
        form(title="<script>alert(1)</script>路灯", body="<b>粗体</b><img src=x onerror=alert(1)>"),
    )
    question = PublicQuestion.objects.get()
    client.logout()
    page = client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;路灯" in page
    assert "<img src=x" not in page and "&lt;b&gt;粗体&lt;/b&gt;" in page


def test_the_same_form_sent_twice_makes_one_question(client, county, resident):
    client.force_login(resident)
    data = form()
    url = reverse("exchange:ask", args=[county.village_a1.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert PublicQuestion.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_another_persons_token_is_not_taken(county, resident):
    token = uuid.uuid4()
    ask(resident, county.village_a1, token=token)
    with pytest.raises(ActionError):
        ask(county.town_a_media, county.village_a1, token=token, nickname="小张")
    assert PublicQuestion.objects.count() == 1


def test_a_blocked_word_refuses_and_a_flagged_one_holds_it_off_the_portal(
    client, county, resident, django_capture_on_commit_callbacks
):
    SensitiveWord.objects.create(word="代开发票", level=SensitiveWord.Level.BLOCK)
    SensitiveWord.objects.create(word="上访", level=SensitiveWord.Level.FLAG)
    client.force_login(resident)
    url = reverse("exchange:ask", args=[county.village_a1.pk])
    refused = client.post(url, form(body="代开发票找我"))
    assert refused.status_code == 400 and "代开发票" in refused.context["form"].errors["body"][0]
    assert not PublicQuestion.objects.exists()
    held = client.post(url, form(title="我们要不要集体上访？"), follow=True)
    question = PublicQuestion.objects.get()
    assert question.state == Q.HELD and question.flagged_words == ["上访"]
    assert "审核" in held.content.decode()
    client.logout()
    listing = client.get(reverse("exchange:questions", args=[county.village_a1.pk])).content.decode()
    assert "上访" not in listing
    assert client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).status_code == 404
    # The moderation area's actions: a moderator of the village lets it through; another township's may not.
    b_media = f.staff("b_media", Role.MEDIA_OFFICER, county.town_b)
    assert list(questions.held_for(county.town_a_media)) == [question] and not questions.held_for(b_media).exists()
    with pytest.raises(PermissionDenied):
        questions.approve_question(b_media, question.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the cached portal pages are refreshed on commit
        questions.approve_question(county.village_a1_secretary, question.pk)
    question.refresh_from_db()
    assert question.state == Q.OPEN
    assert "上访" in client.get(reverse("exchange:questions", args=[county.village_a1.pk])).content.decode()


def test_a_rejected_held_question_tells_the_asker_why(county, resident):
    SensitiveWord.objects.create(word="上访", level=SensitiveWord.Level.FLAG)
    question = ask(resident, county.village_a1, title="我们要不要集体上访？")
    with pytest.raises(InvalidInput):
        questions.reject_question(county.village_a1_secretary, question.pk, "  ")
    questions.reject_question(county.village_a1_secretary, question.pk, "与本村事务无关")
    question.refresh_from_db()
    assert question.state == Q.REMOVED and question.removed_reason == "与本村事务无关"
    notice = Notification.objects.get(user=resident)
    assert "与本村事务无关" in notice.text


def test_asking_from_a_room_links_the_room_and_ones_own_message(client, county, resident):
    room = f.room(county.village_a1, "王庄村民群", people=[resident], audience=Room.Audience.RESIDENTS)
    room.memberships.filter(user=resident).update(nickname="王庄老李")
    message = actions.post_message(resident, room.pk, actions.MessageInput(body="村东头的排水沟什么时候清理？"))
    other = f.UserFactory(username="other")
    room.memberships.create(user=other, nickname="邻居")
    theirs = actions.post_message(other, room.pk, actions.MessageInput(body="别人的消息也想问一问"))
    client.force_login(resident)
    assert (
        reverse("exchange:ask", args=[county.village_a1.pk])
        in client.get(reverse("exchange:room", args=[room.pk])).content.decode()
    )
    url = reverse("exchange:ask", args=[county.village_a1.pk])
    page = client.get(f"{url}?room={room.pk}&message={message.pk}")
    assert page.context["form"].initial["nickname"] == "王庄老李"
    assert page.context["form"].initial["title"] == message.body
    client.post(url, form(title=message.body, nickname="王庄老李", room=room.pk, message=message.pk))
    question = PublicQuestion.objects.get()
    assert question.room == room and question.message == message
    # Someone else's message, or a room the person is not in, is refused (raw POST with forged ids).
    with pytest.raises(InvalidInput):
        ask(resident, county.village_a1, room_id=room.pk, message_id=theirs.pk)
    elsewhere = f.room(county.village_b1, "石桥村民群", audience=Room.Audience.RESIDENTS)
    with pytest.raises(InvalidInput):
        ask(resident, county.village_b1, room_id=elsewhere.pk)
    assert PublicQuestion.objects.count() == 1


# --- The portal: list, search, masking ---------------------------------------------------------------------


def test_search_finds_two_character_words_in_question_and_answer(client, county, resident, settings):
    settings.EXCHANGE_QUESTIONS_PER_HOUR = 10  # three questions from one new account
    dibao = ask(resident, county.village_a1, title="今年的低保申请什么时候开始？")
    ask(resident, county.village_a1, title="村里的路灯坏了谁来修？")
    other = ask(resident, county.village_a1, title="老人的补贴怎么领取？")
    questions.answer_question(county.village_a1_secretary, other.pk, "八十岁以上老人可领取养老补贴，到村委会登记。")
    url = reverse("exchange:questions", args=[county.village_a1.pk])
    found = client.get(url, {"q": "低保"})
    assert [q.pk for q in found.context["page"].object_list] == [dibao.pk]
    found = client.get(url, {"q": "养老"})
    assert [q.pk for q in found.context["page"].object_list] == [other.pk]
    assert client.get(url, {"q": "养老 路灯"}).context["page"].paginator.count == 0
    assert client.get(url, {"q": "!!!"}).context["page"].paginator.count == 0
    # The county's portal shows the villages' questions; another township's does not.
    assert client.get(reverse("exchange:questions", args=[county.county.pk])).context["page"].paginator.count == 3
    assert client.get(reverse("exchange:questions", args=[county.town_b.pk])).context["page"].paginator.count == 0


def test_phone_numbers_and_names_are_masked_on_the_public_pages_and_not_found_by_search(client, county, resident):
    question = ask(
        resident,
        county.village_a1,
        title="低保审核进度 13812345678",
        body="我叫王大山，电话13812345678，申请低保三个月了。",
    )
    for url in (
        reverse("exchange:questions", args=[county.village_a1.pk]),
        reverse("exchange:question", args=[county.village_a1.pk, question.pk]),
    ):
        page = client.get(url).content.decode()
        assert "13812345678" not in page and "138****5678" in page
    detail = client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).content.decode()
    assert "王大山" not in detail
    found = client.get(reverse("exchange:questions", args=[county.village_a1.pk]), {"q": "13812345678"})
    assert found.context["page"].paginator.count == 0
    # Staff see what was written.
    client.force_login(county.village_a1_secretary)
    assert "13812345678" in client.get(reverse("console:public_question", args=[question.pk])).content.decode()


def test_the_portal_is_paginated_newest_first_and_answered_ones_are_marked_official(client, county):
    # Many people asked over the past days (one person may ask only a few an hour).
    made = [
        PublicQuestion.objects.create(
            organization=county.village_a1,
            nickname=f"村民{n}",
            title=f"第{n}个问题要问一问",
            title_public=f"第{n}个问题要问一问",
            created_at=timezone.now() - datetime.timedelta(hours=n),
        )
        for n in range(22)
    ]
    questions.answer_question(county.village_a1_secretary, made[0].pk, "已答复。")
    url = reverse("exchange:questions", args=[county.village_a1.pk])
    first = client.get(url)
    assert first.context["page"].paginator.count == 22 and len(first.context["page"].object_list) == 20
    assert first.context["page"].object_list[0].pk == made[0].pk
    assert "官方答复" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 2
    home = client.get(reverse("orgs:portal", args=[county.village_a1.pk])).content.decode()
    assert "第0个问题要问一问" in home and "官方答复" in home


# --- Answering ------------------------------------------------------------------------------------------------


def test_staff_answer_officially_and_the_asker_is_told(client, county, resident):
    question = ask(resident, county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:public_question", args=[question.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("console:public_question_answer", args=[question.pk]),
        {"answer": "每年三月集中受理，请到村委会登记。", "version": question.version},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == Q.ANSWERED and question.answered_by == county.village_a1_secretary
    assert question.answered_as == county.village_a1 and question.answered_at is not None
    notice = Notification.objects.get(user=resident)
    assert "王庄村" in notice.text and notice.link == reverse(
        "exchange:question", args=[county.village_a1.pk, question.pk]
    )
    client.logout()
    detail = client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).content.decode()
    assert "官方答复" in detail and "每年三月集中受理" in detail and county.village_a1.name in detail
    # Editing the answer with a stale version is refused; with the current one it is saved, the asker not told again.
    with pytest.raises(EditConflict):
        questions.answer_question(county.village_a1_secretary, question.pk, "改过的答复", version=question.version - 1)
    questions.answer_question(county.village_a1_secretary, question.pk, "改过的答复", version=question.version)
    question.refresh_from_db()
    assert question.answer == "改过的答复" and Notification.objects.filter(user=resident).count() == 1


def test_the_township_above_answers_for_itself(county, resident):
    question = ask(resident, county.village_a1)
    questions.answer_question(county.town_a_media, question.pk, "镇里统一安排。")
    question.refresh_from_db()
    assert question.answered_as == county.town_a


def test_answering_is_refused_to_another_township_a_lesser_role_and_forged_posts(client, county, resident):
    question = ask(resident, county.village_a1)
    outsider = f.staff("b_secretary", Role.SECRETARY, county.town_b)
    for user in (outsider, county.town_b_discipline, resident, county.nobody):
        with pytest.raises(PermissionDenied):
            questions.answer_question(user, question.pk, "越权答复")
        with pytest.raises(PermissionDenied):
            questions.to_case(user, question.pk, "help")
        with pytest.raises(PermissionDenied):
            questions.remove_question(user, question.pk, "越权删除")
    for user in (outsider, county.town_b_discipline):
        client.force_login(user)
        assert client.get(reverse("console:public_question", args=[question.pk])).status_code == 404
        for name, data in (
            ("console:public_question_answer", {"answer": "越权", "version": 1}),
            ("console:public_question_remove", {"reason": "越权", "version": 1}),
            ("console:public_question_case", {"category": "help", "version": 1}),
        ):
            assert client.post(reverse(name, args=[question.pk]), data).status_code == 404
        listing = client.get(reverse("console:public_questions"))
        assert listing.status_code == 403 if user == county.town_b_discipline else listing.status_code == 200
        if listing.status_code == 200:
            assert listing.context["page"].paginator.count == 0
    client.force_login(resident)
    assert client.post(reverse("console:public_question_answer", args=[question.pk]), {"answer": "x"}).status_code in (
        302,
        403,
    )
    assert client.post(
        reverse("console:public_question_answer", args=[999999]), {"answer": "x", "version": 1}
    ).status_code in (
        403,
        404,
    )
    question.refresh_from_db()
    assert question.state == Q.OPEN and not question.answer and not Case.objects.exists()


def test_a_removed_question_leaves_the_portal_and_the_asker_is_told(client, county, resident):
    question = ask(resident, county.village_a1)
    client.force_login(county.village_a1_secretary)
    empty = client.post(reverse("console:public_question_remove", args=[question.pk]), {"reason": "", "version": 1})
    assert empty.status_code == 400
    client.post(reverse("console:public_question_remove", args=[question.pk]), {"reason": "重复提问", "version": 1})
    question.refresh_from_db()
    assert question.state == Q.REMOVED
    assert "重复提问" in Notification.objects.get(user=resident).text
    client.logout()
    assert client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).status_code == 404


# --- Turning into a feedback case ------------------------------------------------------------------------------


def test_to_case_makes_exactly_one_case_in_the_closed_loop_linked_both_ways(
    client, county, resident, django_capture_on_commit_callbacks
):
    question = ask(resident, county.village_a1, title="村东头排水沟堵了", body="下雨就积水，已经一个月了。")
    client.force_login(county.village_a1_secretary)
    url = reverse("console:public_question_case", args=[question.pk])
    assert client.post(url, {"category": "help", "version": question.version}).status_code == 302
    assert client.post(url, {"category": "help", "version": question.version}).status_code in (302, 400)
    questions.to_case(county.village_a1_secretary, question.pk, "help")  # a retry
    case = Case.objects.get()
    question.refresh_from_db()
    assert question.state == Q.CASE and question.case == case
    assert case.state == State.RECEIVED and case.accept_deadline is not None and case.answer_deadline is not None
    assert case.place == county.village_a1 and case.title == "村东头排水沟堵了"
    assert case.origin_label == f"问政 #{question.pk}"
    assert case.origin_url == reverse("console:public_question", args=[question.pk])
    # The staff's case page shows where it came from, linking back.
    case_page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert f"问政 #{question.pk}" in case_page and case.origin_url in case_page
    # The asker is told of the case number; the feedback handlers of the village are told of a new case.
    assert case.number in Notification.objects.get(user=resident).text
    assert Notification.objects.filter(user=county.village_a1_secretary, kind="feedback.new").exists()
    # The question's page shows the case's state, and follows it.
    client.logout()
    detail_url = reverse("exchange:question", args=[county.village_a1.pk, question.pk])
    detail = client.get(detail_url).content.decode()
    assert case.number in detail and "待受理" in detail
    with django_capture_on_commit_callbacks(execute=True):
        feedback_actions.accept_and_handle_case(county.village_a1_secretary, case.pk)
    assert "办理中" in client.get(detail_url).content.decode()


def test_to_case_with_the_same_token_from_another_path_still_makes_one_case(county, resident):
    question = ask(resident, county.village_a1, title="村东头排水沟堵了")
    token = questions.case_token(question)
    assert token != question.client_token and token == questions.case_token(question)
    questions.to_case(county.village_a1_secretary, question.pk, "help")
    feedback_actions.submit_case(
        place_id=county.village_a1.pk,
        category="help",
        title="村东头排水沟堵了",
        description="再来一次",
        client_token=token,
    )
    assert Case.objects.count() == 1


def test_to_case_refuses_an_unknown_kind_and_a_removed_question(county, resident):
    question = ask(resident, county.village_a1)
    with pytest.raises(InvalidInput):
        questions.to_case(county.village_a1_secretary, question.pk, "nonsense")
    questions.remove_question(county.village_a1_secretary, question.pk, "重复提问")
    with pytest.raises(ActionError):
        questions.to_case(county.village_a1_secretary, question.pk, "help")
    assert not Case.objects.exists()


# --- Registry: to-do, menu, usage -------------------------------------------------------------------------------


def test_questions_answered_counts_per_subtree_and_period(county, resident, today):
    metric = registry.get(UsageMetric, "exchange.questions_answered")
    a1 = ask(resident, county.village_a1)
    ask(resident, county.village_b1, title="石桥村的问题要问一问")
    questions.answer_question(county.village_a1_secretary, a1.pk, "已答复")
    week = (today - datetime.timedelta(days=7), today + datetime.timedelta(days=1))
    assert metric.count(county.county, *week) == 1
    assert metric.count(county.town_a, *week) == 1
    assert metric.count(county.town_b, *week) == 0
    assert metric.count(county.county, today - datetime.timedelta(days=30), today - datetime.timedelta(days=7)) == 0


def test_one_person_may_ask_only_a_few_questions_an_hour(county, resident, settings):
    settings.EXCHANGE_QUESTIONS_PER_HOUR = 6  # a new account: half of it
    for n in range(3):
        ask(resident, county.village_a1, title=f"第{n}个问题要问一问")
    with pytest.raises(ActionError, match="提问太多"):
        ask(resident, county.village_a1, title="再问一个问题好吗")
    assert PublicQuestion.objects.count() == 3


def test_an_answered_question_turned_into_a_case_keeps_its_answer_on_the_page(client, county, resident):
    question = ask(resident, county.village_a1, title="村东头排水沟堵了")
    questions.answer_question(county.village_a1_secretary, question.pk, "已记录，马上安排人员查看。")
    questions.to_case(county.village_a1_secretary, question.pk, "help")
    question.refresh_from_db()
    page = client.get(reverse("exchange:question", args=[county.village_a1.pk, question.pk])).content.decode()
    assert "已记录，马上安排人员查看。" in page and question.case.number in page and "等待组织答复" not in page
