"""What to do now in a subtree (analytics.freshness.todo_now): stale columns, overdue cases, unanswered questions,
notices not signed off and required meetings missing, each bounded and only for viewers holding its capability on
the organization; and the partials that show them and the status tree, rendered in Chinese."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.accounts.models import Role
from dangjian.analytics import freshness, rollups
from dangjian.analytics.templatetags.analytics_freshness import status_tree
from dangjian.exchange import questions
from dangjian.feedback import actions as feedback
from dangjian.publishing import notice_actions as notices
from dangjian.publishing.models import Notice
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def overdue(county):
    """Work left undone in 东城镇's villages, then twenty days later."""
    case, _password, _created = feedback.submit_case(
        place_id=county.village_a1.pk, category="help", title="村口路灯坏了", description="村口路灯坏了一个月了。"
    )
    resident = f.resident("13700001111", real_name="李秀英")
    question = questions.ask_question(
        resident, county.village_a1.pk, questions.QuestionInput(title="今年的低保申请什么时候开始？", nickname="老李")
    )
    reply_by = timezone.localdate() + datetime.timedelta(days=3)
    from_town = notices.send_notice(
        county.town_a_admin,
        county.town_a.pk,
        notices.NoticeInput(
            title="关于报送党建工作总结的通知",
            body="请按时报送。",
            audience=Notice.Audience.CHILDREN,
            reply_by=reply_by,
        ),
    )
    from_county = notices.send_notice(
        county.county_admin,
        county.county.pk,
        notices.NoticeInput(
            title="关于开展主题党日活动的通知",
            body="请各支部按时开展。",
            audience=Notice.Audience.SUBTREE,
            subtree_root_id=county.county.pk,
            reply_by=reply_by,
        ),
    )
    f.member(county.village_a1, "王建国")  # a branch with members: its required meetings count
    rollups.refresh_pending()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=20), tick=False):
        yield {"case": case, "question": question, "from_town": from_town, "from_county": from_county}


def lists(user, organization, **kwargs):
    return {found.key: found for found in freshness.todo_now(user, organization, **kwargs)}


def test_the_township_admin_sees_every_list_of_the_township_with_links_that_open(county, overdue, client):
    found = lists(county.town_a_admin, county.town_a)
    assert list(found) == [
        "columns",
        "feedback.overdue",
        "exchange.questions_unanswered",
        "publishing.notices_unsigned",
        "meetings.missing",
    ]
    columns = found["columns"]
    assert {(entry.organization, entry.label) for entry in columns.entries} == {
        ("东城镇", "工作动态"),
        ("王庄村", "工作动态"),
        ("李湾村", "工作动态"),
    }
    assert columns.entries[0].detail == "按规定每 14 天更新，已超期 6 天"
    case = overdue["case"]
    assert [(e.organization, e.label) for e in found["feedback.overdue"].entries] == [
        ("王庄村", f"{case.number} {case.title_public}")
    ]
    assert found["feedback.overdue"].entries[0].link == reverse("console:feedback_case", args=[case.pk])
    assert found["feedback.overdue"].entries[0].detail.startswith("超期 ")
    assert [e.label for e in found["exchange.questions_unanswered"].entries] == ["今年的低保申请什么时候开始？"]
    assert found["meetings.missing"].total >= 1
    assert found["meetings.missing"].entries[0].link == reverse(
        "console:meetings_compliance", args=[county.village_a1.pk]
    )
    # Both villages and the township itself owe the county's notice; the township's own reaches the villages.
    unsigned = found["publishing.notices_unsigned"]
    assert unsigned.total == 5
    by_notice = {(e.label, e.organization): e.link for e in unsigned.entries}
    notice_page = reverse("console:notice", args=[overdue["from_town"].pk])
    assert by_notice[("关于报送党建工作总结的通知", "王庄村")] == notice_page
    # The county's notice is opened from the township's own receipt only (the villages' receipts are the county's).
    assert by_notice[("关于开展主题党日活动的通知", "东城镇")] == reverse(
        "console:notice", args=[overdue["from_county"].pk]
    )
    assert by_notice[("关于开展主题党日活动的通知", "王庄村")] is None
    client.force_login(county.town_a_admin)
    for todo in found.values():
        for entry in todo.entries:
            if entry.link:
                assert client.get(entry.link).status_code == 200, entry.link


def test_a_village_secretary_sees_only_his_village(county, overdue):
    secretary = county.village_a1_secretary
    found = lists(secretary, county.village_a1)
    assert {e.organization for todo in found.values() for e in todo.entries} == {"王庄村"}
    assert [e.label for e in found["columns"].entries] == ["工作动态"]
    assert found["publishing.notices_unsigned"].total == 2
    assert all(e.link for e in found["publishing.notices_unsigned"].entries)  # his own receipts
    # The township above and the village beside are not his: no list at all.
    assert lists(secretary, county.town_a) == {}
    assert lists(secretary, county.village_a2) == {}


def test_staff_of_another_township_and_roles_without_the_capability_see_nothing_of_it(county, overdue):
    b_admin = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    assert lists(b_admin, county.town_a) == {}
    assert lists(county.town_b_discipline, county.town_a) == {}
    assert lists(county.nobody, county.town_a) == {}
    # A new-media officer answers questions and signs notices, but neither handles cases nor keeps the columns.
    assert set(lists(county.town_a_media, county.town_a)) == {
        "exchange.questions_unanswered",
        "publishing.notices_unsigned",
    }


def test_each_list_is_bounded_and_keeps_its_total(county, overdue):
    found = lists(county.town_a_admin, county.town_a, limit=2)
    assert (len(found["columns"].entries), found["columns"].total, found["columns"].more) == (2, 3, 1)
    unsigned = found["publishing.notices_unsigned"]
    assert (len(unsigned.entries), unsigned.total) == (2, 5)
    html = render_to_string("analytics/_todo_now.html", {"todo_lists": list(found.values())})
    assert "现在要做的事" in html
    assert "超期未更新的栏目" in html and "3 项" in html and "另有 1 项未列出。" in html
    assert "超期未答复的群众反馈" in html and overdue["case"].number in html
    assert f'href="{reverse("console:feedback_case", args=[overdue["case"].pk])}"' in html


def test_nothing_overdue_says_so(county):
    html = render_to_string(
        "analytics/_todo_now.html", {"todo_lists": freshness.todo_now(county.nobody, county.county)}
    )
    assert "现在没有超期的事项。" in html


def test_the_status_tree_partial_shows_each_status_in_words_with_its_reasons_and_links(county, overdue):
    tree = freshness.subtree_freshness(county.county)
    html = status_tree(tree, "orgs:portal")
    assert html.count("<ul") == html.count("</ul>") and html.count("<li") == html.count("</li>")
    assert "形同摆设" in html and "门户首页从未更新" in html
    assert "1 件群众反馈超期未答复" in html and "1 个问政超过 5 天未答复" in html
    assert "下级 5 个组织：形同摆设 5 个，需关注 0 个。" in html
    for organization in (county.county, county.town_a, county.village_a1, county.village_b1):
        assert f'href="{reverse("orgs:portal", args=[organization.pk])}"' in html
    # Cut one level below the root, with the period kept in every link.
    cut = status_tree(tree, "orgs:portal", levels=1, url_query="?period=2026")
    assert f'href="{reverse("orgs:portal", args=[county.town_a.pk])}?period=2026"' in cut
    assert "王庄村" not in cut
    assert cut.count("<ul") == cut.count("</ul>") and cut.count("<li") == cut.count("</li>")


def test_the_status_tree_tag_draws_the_same_tree_in_a_template_and_escapes_names(county):
    from django.template import Context, Template

    tree = freshness.subtree_freshness(county.town_a)
    html = Template('{% load analytics_freshness %}{% status_tree tree "orgs:portal" levels=0 %}').render(
        Context({"tree": tree})
    )
    assert "东城镇" in html and "王庄村" not in html and "形同摆设" in html
    # A name typed with markup is shown as text, in the tree as anywhere.
    county.town_a.short_name = '<b onmouseover="x()">东城镇</b>'
    county.town_a.save()
    html = Template('{% load analytics_freshness %}{% status_tree tree "orgs:portal" levels=0 url_query=q %}').render(
        Context({"tree": freshness.subtree_freshness(county.town_a), "q": '?period="><script>'})
    )
    assert "<b onmouseover" not in html and "&lt;b onmouseover=&quot;x()&quot;&gt;东城镇&lt;/b&gt;" in html
    assert "<script>" not in html and "?period=&quot;&gt;&lt;script&gt;" in html
