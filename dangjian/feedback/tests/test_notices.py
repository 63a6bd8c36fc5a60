"""Who the feedback module notifies (notifications.api.notify with the kinds of feedback/notices.py)."""

import pytest

from dangjian.feedback import actions
from dangjian.feedback.models import FeedbackSettings

from .conftest import new_case


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["feedback.new", "feedback.dispatched", "feedback.returned", "feedback.rated"])
def test_staff_concerned_are_notified_in_the_console(county, kind):
    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    actions.return_case(county.village_a1_secretary, case.pk, "不归我们管")
    actions.dispatch_case(county.town_a_admin, case.pk, county.village_a1.pk)
    actions.start_case(county.village_a1_secretary, case.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已办")
    actions.rate_case(case.pk, "satisfied")
    receiver = {
        "feedback.new": county.village_a1_secretary,
        "feedback.dispatched": county.village_a1_secretary,
        "feedback.returned": county.town_a_admin,
        "feedback.rated": county.village_a1_secretary,
    }[kind]
    assert receiver.notifications.filter(target_id=case.pk, kind=kind).exists()


@pytest.mark.django_db
def test_a_rating_is_told_in_words(county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已办")
    actions.rate_case(case.pk, "satisfied")
    notice = county.village_a1_secretary.notifications.get(kind="feedback.rated")
    assert notice.text == f"工单 {case.number} 已评价：满意"


@pytest.mark.django_db
def test_a_reply_sent_back_tells_its_author_in_the_console_only(county, a1_admin):
    FeedbackSettings.objects.create(organization=county.village_a1, answers_need_approval=True)
    a1_admin.email = "a1admin@example.org"
    a1_admin.save()
    case = new_case(county.village_a1)
    actions.accept_case(a1_admin, case.pk)
    actions.dispatch_case(a1_admin, case.pk, county.village_a1.pk)
    actions.answer_case(a1_admin, case.pk, "已办")
    actions.send_back_reply(county.village_a1_secretary, case.pk, "请补充照片")
    notice = a1_admin.notifications.get(kind="feedback.sent_back")
    assert notice.text == f"您对工单 {case.number} 的答复被退回修改：请补充照片"
    assert notice.mail_state == "none"


@pytest.mark.django_db
def test_console_shows_how_many_notifications_are_unread(client, county):
    new_case(county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get("/console/notifications/").content.decode()
    assert 'data-testid="badge-notifications">1<span class="visually-hidden"> 未读</span>' in page
    client.post("/console/notifications/")
    assert 'data-testid="badge-notifications"' not in client.get("/console/notifications/").content.decode()
