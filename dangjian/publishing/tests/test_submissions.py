"""信息报送: a village sends a published article up, the township adopts it or returns it with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.registry import ToDo, UsageMetric, entries
from dangjian.notifications.kinds import render
from dangjian.notifications.models import Notification
from dangjian.publishing import submissions
from dangjian.publishing.models import Article, Column, Submission
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def item(county):
    return f.article(county.village_a1, "王庄村开展志愿服务")


def test_the_village_sends_to_its_township_and_the_township_adopters_are_told(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk, "请审阅")
    assert s.state == Submission.State.SUBMITTED and s.to_organization == county.town_a and s.note == "请审阅"
    told = set(
        Notification.objects.filter(kind="publishing.submission_received").values_list("user__username", flat=True)
    )
    assert told == {"town_a_admin", "town_a_media"}


def test_the_county_may_be_chosen_too_but_not_the_village_itself_or_a_sibling(county, item):
    assert (
        submissions.submit_upward(county.village_a1_secretary, item.pk, county.county.pk).to_organization
        == county.county
    )
    for forged in (county.village_a1.pk, county.village_a2.pk, county.town_b.pk):
        with pytest.raises(InvalidInput, match="上级"):
            submissions.submit_upward(county.village_a1_secretary, item.pk, forged)
    assert Submission.objects.count() == 1


def test_a_draft_cannot_be_sent_up(county):
    draft = f.article(county.village_a1, state=Article.State.DRAFT)
    with pytest.raises(InvalidInput, match="已发布"):
        submissions.submit_upward(county.village_a1_secretary, draft.pk, county.town_a.pk)


def test_sending_twice_gives_a_clear_message_and_one_row(county, item):
    submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    with pytest.raises(ActionError, match="已报送"):
        submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    assert Submission.objects.count() == 1


def test_another_villages_secretary_cannot_send_our_article(county, item):
    other = f.staff("a2_secretary", Role.SECRETARY, county.village_a2)
    with pytest.raises(PermissionDenied):
        submissions.submit_upward(other, item.pk, county.town_a.pk)
    with pytest.raises(PermissionDenied):
        submissions.submit_upward(county.town_b_discipline, item.pk, county.town_a.pk)
    with pytest.raises(NotFound):
        submissions.submit_upward(county.village_a1_secretary, 999999, county.town_a.pk)


def test_the_township_adopts_into_its_column_and_the_village_is_told(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    column = f.column(county.town_a, "news")
    submissions.adopt_submission(county.town_a_media, s.pk, column.pk)
    s.refresh_from_db()
    assert (s.state, s.column, s.decided_by) == (Submission.State.ADOPTED, column, county.town_a_media)
    note = Notification.objects.get(kind="publishing.submission_adopted")
    assert note.user == county.village_a1_secretary
    assert render(note) == f"东城镇采用了你们报送的“{item.title}”，编入栏目“{column.title}”"


def test_a_decision_tells_the_submitter_and_the_villages_writers_never_the_adopting_township(county, item):
    from dangjian.accounts.models import RoleGrant

    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    # The village is left without a writer of its own (its secretary's grant revoked after sending).
    RoleGrant.objects.filter(user=county.village_a1_secretary, organization=county.village_a1).delete()
    column = f.column(county.town_a, "news")
    client = client_for(county.town_a_admin)
    response = client.post(reverse("console:submission_adopt", args=[county.town_a.pk, s.pk]), {"column": column.pk})
    assert response.status_code == 302
    told = set(
        Notification.objects.filter(kind="publishing.submission_adopted").values_list("user__username", flat=True)
    )
    assert told == {"a1_secretary"}
    # A township writer who sent a village's item for it hears nothing of its own township's decision.
    other = f.article(county.village_a2, "李庄村修缮党员活动室")
    s2 = submissions.submit_upward(county.town_a_media, other.pk, county.town_a.pk)
    response = client.post(reverse("console:submission_return", args=[county.town_a.pk, s2.pk]), {"reason": "请补图"})
    assert response.status_code == 302
    assert not Notification.objects.filter(kind="publishing.submission_returned").exists()


def test_adopting_into_another_organizations_or_an_archived_column_is_refused(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    for column in (f.column(county.town_b, "news"), f.column(county.village_a1, "news")):
        with pytest.raises(InvalidInput, match="栏目"):
            submissions.adopt_submission(county.town_a_admin, s.pk, column.pk)
    archived = f.column(county.town_a, "旧栏目")
    Column.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    with pytest.raises(InvalidInput):
        submissions.adopt_submission(county.town_a_admin, s.pk, archived.pk)
    s.refresh_from_db()
    assert s.state == Submission.State.SUBMITTED


def test_only_the_receivers_adopters_decide(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    column = f.column(county.town_a, "news")
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    for outsider in (town_b_admin, county.village_a1_secretary, county.town_b_discipline, county.nobody):
        with pytest.raises(PermissionDenied):
            submissions.adopt_submission(outsider, s.pk, column.pk)
        with pytest.raises(PermissionDenied):
            submissions.return_submission(outsider, s.pk, "不符合")


def test_a_return_needs_a_reason_and_a_decided_item_cannot_be_decided_again(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    with pytest.raises(InvalidInput, match="退回"):
        submissions.return_submission(county.town_a_admin, s.pk, "   ")
    submissions.return_submission(county.town_a_admin, s.pk, "图片不清晰")
    s.refresh_from_db()
    assert (s.state, s.reason) == (Submission.State.RETURNED, "图片不清晰")
    assert Notification.objects.filter(kind="publishing.submission_returned", user=county.village_a1_secretary).exists()
    with pytest.raises(ActionError):
        submissions.adopt_submission(county.town_a_admin, s.pk, f.column(county.town_a, "news").pk)
    # After a return it may be sent again.
    again = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    assert again.pk != s.pk


def test_the_todo_line_counts_exactly_the_waiting_items_listed(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    other = f.article(county.village_a2, "李湾村召开党员大会")
    submissions.submit_upward(f.staff("a2_sec", Role.SECRETARY, county.village_a2), other.pk, county.town_a.pk)
    decided = f.article(county.village_a1, "已采用的")
    d = submissions.submit_upward(county.village_a1_secretary, decided.pk, county.town_a.pk)
    submissions.return_submission(county.town_a_admin, d.pk, "重复")
    client = client_for(county.town_a_media)
    home = client.get(reverse("console:dashboard")).content.decode()
    assert "有 2 条报送信息等待采用" in home
    todo = next(t for t in entries(ToDo) if t.key == "publishing.submissions_waiting")
    page = client.get(reverse(todo.url_name) + "?" + todo.query).content.decode()
    listed = page.split('data-testid="waiting-submissions"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 2 and item.title in listed and "已采用的" not in listed
    assert s.pk


def test_the_inbox_adopts_through_the_page_and_refuses_raw_http_from_outside(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    column = f.column(county.town_a, "news")
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    outsider = client_for(town_b_admin)
    assert outsider.get(reverse("console:submissions", args=[county.town_a.pk])).status_code == 403
    # Another organization's own inbox address with our submission's id: not found.
    response = outsider.post(reverse("console:submission_adopt", args=[county.town_b.pk, s.pk]), {"column": column.pk})
    assert response.status_code == 404
    client = client_for(county.town_a_admin)
    page = client.get(reverse("console:submissions", args=[county.town_a.pk])).content.decode()
    assert item.title in page
    response = client.post(reverse("console:submission_return", args=[county.town_a.pk, s.pk]), {"reason": ""})
    assert response.status_code == 400 and "请说明退回的原因" in response.content.decode()
    response = client.post(reverse("console:submission_adopt", args=[county.town_a.pk, s.pk]), {"column": column.pk})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == Submission.State.ADOPTED


def test_the_sent_page_dates_and_links_each_article_and_shows_a_live_submission_instead_of_the_button(county, item):
    adopted = f.article(county.village_a1, "王庄村召开党员大会")
    returned = f.article(county.village_a1, "王庄村整治人居环境")
    submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    s = submissions.submit_upward(county.village_a1_secretary, adopted.pk, county.town_a.pk)
    submissions.adopt_submission(county.town_a_admin, s.pk, f.column(county.town_a, "news").pk)
    r = submissions.submit_upward(county.village_a1_secretary, returned.pk, county.town_a.pk)
    submissions.return_submission(county.town_a_admin, r.pk, "请补充照片")
    client = client_for(county.village_a1_secretary)
    page = client.get(reverse("console:submissions_sent", args=[county.village_a1.pk])).content.decode()
    listed = page.split('data-testid="sendable-articles"')[1].split("</ul>")[0]
    lines = {a.pk: next(li for li in listed.split("<li>") if a.title in li) for a in (item, adopted, returned)}
    for article in (item, adopted, returned):
        line = lines[article.pk]
        assert reverse("publishing:article", args=[county.village_a1.pk, article.pk]) in line
        assert timezone.localtime(article.published_at).strftime("%Y-%m-%d") in line
    submit = "console:article_submit"
    assert "待采用" in lines[item.pk] and reverse(submit, args=[county.village_a1.pk, item.pk]) not in lines[item.pk]
    assert "已采用" in lines[adopted.pk]
    assert reverse(submit, args=[county.village_a1.pk, adopted.pk]) not in lines[adopted.pk]
    # A returned item may be sent again.
    assert reverse(submit, args=[county.village_a1.pk, returned.pk]) in lines[returned.pk]


def test_the_inbox_lists_its_items_as_cards_without_bullets(county, item):
    from django.contrib.staticfiles import finders

    submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    page = client_for(county.town_a_admin).get(reverse("console:submissions", args=[county.town_a.pk]))
    assert '<ul class="card-list" data-testid="submissions">' in page.content.decode()
    with open(finders.find("core/site.css"), encoding="utf-8") as css:
        assert ".card-list { list-style: none; padding: 0; margin: 0; }" in css.read()


def test_the_village_sends_through_the_form_and_sees_the_return_reason(county, item):
    client = client_for(county.village_a1_secretary)
    sent_page = client.get(reverse("console:submissions_sent", args=[county.village_a1.pk])).content.decode()
    submit_url = reverse("console:article_submit", args=[county.village_a1.pk, item.pk])
    assert submit_url in sent_page
    form = client.get(submit_url).content.decode()
    assert county.town_a.name in form and county.county.name in form and county.town_b.name not in form
    response = client.post(submit_url, {"to_organization": county.town_b.pk, "note": ""})
    assert response.status_code == 400 and not Submission.objects.exists()
    response = client.post(submit_url, {"to_organization": county.town_a.pk, "note": "请采用"})
    assert response.status_code == 302
    submissions.return_submission(county.town_a_admin, Submission.objects.get().pk, "请补充照片")
    sent_page = client.get(reverse("console:submissions_sent", args=[county.village_a1.pk])).content.decode()
    assert "请补充照片" in sent_page and "已退回" in sent_page
    # Another village cannot open our article's submit form.
    other = client_for(f.staff("a2_sec", Role.SECRETARY, county.village_a2))
    assert other.get(submit_url).status_code == 403


def _metric(key):
    return next(m for m in entries(UsageMetric) if m.key == key)


def test_usage_metrics_count_adoptions_for_the_submitter_and_receipts_for_the_receiver(county, item):
    s = submissions.submit_upward(county.village_a1_secretary, item.pk, county.town_a.pk)
    submissions.adopt_submission(county.town_a_admin, s.pk, f.column(county.town_a, "news").pk)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    adopted, received = _metric("publishing.submissions_adopted"), _metric("publishing.submissions_received")
    assert adopted.count(county.village_a1, start, end) == 1
    assert adopted.count(county.town_a, start, end) == 1  # the village is in the township's subtree
    assert adopted.count(county.town_b, start, end) == 0
    assert received.count(county.town_a, start, end) == 1
    assert received.count(county.village_a1, start, end) == 0
    assert adopted.count(county.village_a1, end, end + datetime.timedelta(days=3)) == 0
