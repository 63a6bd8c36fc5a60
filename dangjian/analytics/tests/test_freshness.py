"""Freshness and the 形同摆设 status (analytics/freshness.py), from the modules' own actions: articles published,
leaders edited, columns let go stale, a feedback case left overdue, a question left unanswered, a notice not signed
off; thresholds from settings; statuses rolled up the tree; the kept last changes equal a rebuild."""

import datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import translation

from dangjian.accounts.models import Role
from dangjian.analytics import freshness, rollups
from dangjian.analytics.freshness import ATTENTION, IDLE, OK
from dangjian.analytics.models import LastChange
from dangjian.exchange import questions
from dangjian.feedback import actions as feedback
from dangjian.organizations import actions as org_actions
from dangjian.publishing import articles
from dangjian.publishing import notice_actions as notices
from dangjian.publishing.models import Article, Column, Notice
from dangjian.publishing.tests.articles_support import article_input
from dangjian.tests_support import factories as f

from .kept import at

pytestmark = pytest.mark.django_db

START = at(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def publish(user, organization, title="王庄村开展志愿服务"):
    Column.objects.filter(organization=organization).update(review_steps=0)
    article = articles.save_article(user, organization.pk, article_input(organization, title=title))
    return articles.submit_for_review(user, article.pk)


def state(county, organization, **kwargs):
    rollups.refresh_pending()
    return freshness.subtree_freshness(county.county, **kwargs).by_id[organization.pk]


def reasons(item):
    return [reason.text for reason in item.reasons]


def submit_case(place, title="村口路灯坏了"):
    case, _password, _created = feedback.submit_case(
        place_id=place.pk, category="help", title=title, description="村口路灯坏了一个月了，晚上出行不便。"
    )
    return case


def test_a_published_article_makes_the_home_fresh_and_two_silent_weeks_make_it_idle(county):
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
        a1 = state(county, county.village_a1)
        a2 = state(county, county.village_a2)
    assert (a1.status, a1.home_days, reasons(a1)) == (OK, 0, [])
    news = next(column for column in a1.columns if column.name == "工作动态")
    assert (news.days_since, news.rule_days, news.overdue_days) == (0, 14, 0)
    assert a2.status == IDLE and reasons(a2) == ["门户首页从未更新"]

    with time_machine.travel(START + datetime.timedelta(days=13), tick=False):
        assert state(county, county.village_a1).status == OK
    with time_machine.travel(START + datetime.timedelta(days=20), tick=False):
        a1 = state(county, county.village_a1)
    assert a1.status == IDLE
    assert reasons(a1) == ["门户首页已 20 天未更新", "1 个栏目超期未更新"]
    assert [column.overdue_days for column in a1.overdue_columns] == [6]
    assert a1.status_label == "形同摆设"


def test_the_idle_home_threshold_is_a_setting(county):
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        assert state(county, county.village_a1).status == OK
        with override_settings(SUMMARY_IDLE_HOME_DAYS=7):
            assert reasons(state(county, county.village_a1)) == ["门户首页已 10 天未更新"]


def test_editing_the_leaders_changes_the_leadership_page_and_the_home(county):
    secretary = county.village_a1_secretary
    with time_machine.travel(START, tick=False):
        term = org_actions.save_term(
            secretary,
            county.village_a1.pk,
            org_actions.TermInput("第十届", datetime.date(2024, 5, 1), datetime.date(2029, 4, 30)),
        )
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        leader = org_actions.save_leader(
            secretary, county.village_a1.pk, org_actions.LeaderInput(term.pk, "王建国", "党支部书记")
        )
        a1 = state(county, county.village_a1)
    assert (a1.leaders_days, a1.home_days, a1.status) == (0, 0, OK)
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        assert state(county, county.village_a1).leaders_days == 27
        org_actions.delete_leader(secretary, county.village_a1.pk, leader.pk)
        a1 = state(county, county.village_a1)
    assert (a1.leaders_days, a1.home_days) == (0, 0)
    # Nothing of the village's leadership is the township's.
    assert state(county, county.town_a).leaders_changed is None


def test_columns_gone_stale_make_an_organization_need_attention_then_idle_at_the_setting(county):
    secretary = county.village_a1_secretary
    with time_machine.travel(START, tick=False):
        f.column(county.village_a1, "产业发展")  # columns of its own, each to be updated every 30 days
        f.column(county.village_a1, "乡风文明")
    with time_machine.travel(START + datetime.timedelta(days=40), tick=False):
        publish(secretary, county.village_a1)  # the home and 工作动态 are fresh
        a1 = state(county, county.village_a1)
        assert a1.status == ATTENTION
        assert reasons(a1) == ["2 个栏目超期未更新"]
        assert sorted((c.name, c.days_since, c.overdue_days) for c in a1.overdue_columns) == [
            ("乡风文明", None, 10),
            ("产业发展", None, 10),
        ]
        with override_settings(SUMMARY_IDLE_OVERDUE_COLUMNS=2):
            assert state(county, county.village_a1).status == IDLE


def test_an_overdue_feedback_case_is_interaction_left_unanswered(county):
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
        case = submit_case(county.village_a1)
        assert state(county, county.village_a1).status == OK  # within its day to be accepted
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        a1 = state(county, county.village_a1)
        assert a1.unanswered == {"feedback.overdue": 1}
        assert (a1.status, reasons(a1)) == (ATTENTION, ["1 件群众反馈超期未答复"])
        with override_settings(SUMMARY_UNANSWERED_CASES=1):
            assert state(county, county.village_a1).status == IDLE
        feedback.accept_case(county.village_a1_secretary, case.pk)
        # Accepted, it now waits for its answer, within the answer deadline: nothing overdue.
        assert state(county, county.village_a1).unanswered == {}


def test_a_question_left_open_past_the_limit_counts_until_it_is_answered(county):
    resident = f.resident("13700001111", real_name="李秀英")
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
        question = questions.ask_question(
            resident,
            county.village_a1.pk,
            questions.QuestionInput(title="今年的低保申请什么时候开始？", nickname="老李"),
        )
    with time_machine.travel(START + datetime.timedelta(days=6), tick=False):
        a1 = state(county, county.village_a1)
        assert reasons(a1)[-1] == "1 个问政超过 5 天未答复"
        with override_settings(EXCHANGE_QUESTION_ANSWER_DAYS=7):
            assert state(county, county.village_a1).unanswered == {}
    with time_machine.travel(START + datetime.timedelta(days=16), tick=False):
        questions.answer_question(county.village_a1_secretary, question.pk, "三月起可在村委会申请。")
        a1 = state(county, county.village_a1)
    # The answer is on the portal home: the home is fresh again and nothing waits, but 工作动态 is still stale.
    assert (a1.home_days, a1.unanswered, reasons(a1)) == (0, {}, ["1 个栏目超期未更新"])
    assert a1.status == ATTENTION


def test_a_notice_not_signed_off_past_its_date(county):
    with time_machine.travel(START, tick=False):
        for village in (county.village_a1, county.village_a2):
            publish(f.staff(f"s{village.pk}", Role.SECRETARY, village), village)
        notices.send_notice(
            county.town_a_admin,
            county.town_a.pk,
            notices.NoticeInput(
                title="关于报送党建工作总结的通知",
                body="请于本周五前报送。",
                audience=Notice.Audience.CHILDREN,
                reply_by=datetime.date(2026, 3, 6),
            ),
        )
    with time_machine.travel(at(2026, 3, 6), tick=False):
        assert state(county, county.village_a1).unanswered == {}  # due today, not yet overdue
    with time_machine.travel(at(2026, 3, 9), tick=False):
        a1 = state(county, county.village_a1)
        assert reasons(a1) == ["1 份通知逾期未签收"]
        with override_settings(SUMMARY_UNANSWERED_NOTICES=1):
            assert state(county, county.village_a1).status == IDLE


def test_statuses_roll_up_the_tree(county):
    with time_machine.travel(START, tick=False):
        for organization in (county.county, county.town_a, county.town_b, county.village_a1):
            publish(f.staff(f"p{organization.pk}", Role.SECRETARY, organization), organization)
        submit_case(county.village_a1)
        f.OrganizationFactory(name="王庄村第一党小组", kind="group", parent=county.village_a1)
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        rollups.refresh_pending()
        tree = freshness.subtree_freshness(county.county)
    # 李湾村 and 石桥村 never updated their portals; 王庄村 left a case overdue; the party group is not judged.
    assert {item.organization.short_name: item.status for item in tree.by_id.values()} == {
        "测试县": OK,
        "东城镇": OK,
        "西山乡": OK,
        "王庄村": ATTENTION,
        "李湾村": IDLE,
        "石桥村": IDLE,
    }
    assert (tree.root.below_idle, tree.root.below_attention, tree.root.below_ok) == (2, 1, 2)
    town_a = tree.by_id[county.town_a.pk]
    assert (town_a.below_idle, town_a.below_attention, town_a.below) == (1, 1, 2)
    assert [child.organization.short_name for child in town_a.children] == ["王庄村", "李湾村"]
    assert tree.counts() == {OK: 3, ATTENTION: 1, IDLE: 2}
    # A township's own subtree, read on its own, says the same of it.
    alone = freshness.subtree_freshness(county.town_a, now=START + datetime.timedelta(days=3))
    assert (alone.root.below_idle, alone.root.below_attention) == (1, 1)
    assert set(alone.by_id) == {county.town_a.pk, county.village_a1.pk, county.village_a2.pk}


def test_kept_last_changes_equal_a_rebuild_from_the_records(county):
    resident = f.resident("13700002222", real_name="赵敏")
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
        publish(county.town_a_admin, county.town_a, title="东城镇召开党建工作会议")
        term = org_actions.save_term(
            county.village_a1_secretary,
            county.village_a1.pk,
            org_actions.TermInput("第十届", datetime.date(2024, 5, 1), datetime.date(2029, 4, 30)),
        )
        org_actions.save_leader(
            county.village_a1_secretary, county.village_a1.pk, org_actions.LeaderInput(term.pk, "王建国", "书记")
        )
        question = questions.ask_question(
            resident, county.town_a.pk, questions.QuestionInput(title="镇上的养老服务站在哪里？", nickname="小赵")
        )
    with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
        questions.answer_question(county.town_a_admin, question.pk, "在镇政府东侧。")
        withdrawn = publish(county.village_a1_secretary, county.village_a1, title="李湾村整治人居环境")
        articles.withdraw_article(county.village_a1_secretary, withdrawn.pk, "信息有误")
        rollups.refresh_pending()
    assert LastChange.objects.filter(organization=county.village_a1).count() >= 3
    assert freshness.compare() == {}
    # A change no watcher sees (a bulk update) is found by the comparison and put right by the nightly rebuild.
    Article.objects.filter(organization=county.town_a).update(published_at=at(2026, 1, 5))
    assert freshness.compare()
    rollups.rebuild()
    assert freshness.compare() == {}
    town_a = freshness.subtree_freshness(county.town_a, now=START + datetime.timedelta(days=3)).root
    assert town_a.home_days == 1  # the answer two days after START; the article now dated in January


def test_a_moved_organization_keeps_its_last_changes_under_its_new_path(county):
    with time_machine.travel(START, tick=False):
        publish(county.village_a1_secretary, county.village_a1)
        rollups.refresh_pending()
    from dangjian.organizations import tree

    tree.move_organization(county.county_admin, county.village_a1.pk, county.town_b.pk)
    county.village_a1.refresh_from_db()
    with time_machine.travel(START, tick=False):
        rollups.refresh_pending()
        town_b = freshness.subtree_freshness(county.town_b)
    assert town_b.by_id[county.village_a1.pk].home_days == 0
    assert LastChange.objects.get(organization=county.village_a1, source="publishing.articles").path == (
        county.village_a1.path
    )


def test_a_county_of_fifty_organizations_is_read_in_a_fixed_number_of_queries(county, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        for t in range(4):
            town = f.OrganizationFactory(name=f"第{t}镇", short_name=f"第{t}镇", kind="township", parent=county.county)
            for v in range(11):
                village = f.OrganizationFactory(name=f"第{t}镇{v}村", kind="village", parent=town)
                if v % 3 == 0:
                    f.article(village, f"{village.name}动态")
                if v % 4 == 0:
                    submit_case(village)
        rollups.refresh_pending()
    assert freshness.compare() == {}
    with time_machine.travel(START + datetime.timedelta(days=20), tick=False), django_assert_max_num_queries(8):
        tree = freshness.subtree_freshness(county.county)
    assert len(tree.by_id) == 1 + 2 + 3 + 4 + 44
    assert tree.by_id[county.county.pk].below == 53
    assert tree.counts()[IDLE] == 54  # nothing updated for twenty days anywhere


def test_editing_the_profile_refreshes_the_home_but_a_move_in_the_tree_does_not(county):
    from dangjian.organizations import tree

    with time_machine.travel(START, tick=False):
        org_actions.update_profile(
            county.town_a_admin,
            county.village_a1.pk,
            org_actions.ProfileInput(name=county.village_a1.name, short_name="王庄村", intro="王庄村位于东城镇东部。"),
        )
        assert state(county, county.village_a1).home_days == 0
    with time_machine.travel(START + datetime.timedelta(days=9), tick=False):
        tree.move_organization(county.county_admin, county.village_a2.pk, county.town_b.pk)
        assert state(county, county.village_a2).home_changed is None
        assert state(county, county.village_a1).home_days == 9
