"""The staff console: who sees which cases and notes, steps through forms, exports masked."""

import pytest
from django.urls import reverse

from dangjian.feedback import actions, clock, suggestions
from dangjian.feedback.models import Case, DispatchRule, ReplyTemplate, State

from .conftest import new_case

pytestmark = pytest.mark.django_db

PRIVATE = "我叫张三丰，电话13812345678，身份证11010519491231002X"


def _case_with_note(county):
    case = new_case(county.village_a1, description="路灯坏了。" + PRIVATE)
    actions.add_note(county.village_a1_secretary, case.pk, "内部：该户与邻居有纠纷")
    return case


def test_village_cannot_see_another_villages_case_or_its_notes(client, county, a2_secretary):
    case = _case_with_note(county)
    client.force_login(a2_secretary)
    assert client.get(reverse("console:feedback_case", args=[case.pk])).status_code == 404
    assert case.title not in client.get(reverse("console:feedback_inbox")).content.decode()
    response = client.post(reverse("console:feedback_step", args=[case.pk, "note"]), {"text": "试试"})
    assert response.status_code == 404


def test_township_sees_its_villages_cases_with_internal_notes(client, county):
    case = _case_with_note(county)
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "内部：该户与邻居有纠纷" in page and "13812345678" in page
    assert case.title in client.get(reverse("console:feedback_inbox")).content.decode()


def test_other_township_does_not_see_it(client, county):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    other = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    case = _case_with_note(county)
    client.force_login(other)
    assert client.get(reverse("console:feedback_case", args=[case.pk])).status_code == 404


def test_internal_notes_never_reach_public_pages(client, county):
    case = _case_with_note(county)
    actions.accept_case(county.village_a1_secretary, case.pk)
    Case.objects.filter(pk=case.pk).update(is_public=True)
    public = client.get(reverse("feedback:detail", args=[county.village_a1.pk, case.pk])).content.decode()
    assert "纠纷" not in public


def test_public_pages_mask_phone_id_and_names(client, county):
    case = new_case(county.village_a1, description="路灯坏了。" + PRIVATE, is_public=True)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已联系张三丰（13812345678）上门维修。")
    for url in [
        reverse("feedback:list", args=[county.county.pk]),
        reverse("feedback:detail", args=[county.village_a1.pk, case.pk]),
    ]:
        page = client.get(url).content.decode()
        for secret in ["13812345678", "11010519491231002X", "张三丰"]:
            assert secret not in page, (url, secret)
    detail = client.get(reverse("feedback:detail", args=[county.village_a1.pk, case.pk])).content.decode()
    assert "138****5678" in detail and "张**" in detail


def test_export_is_masked(client, county):
    new_case(county.village_a1, description="路灯坏了。" + PRIVATE, contact_phone="13912345678")
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:feedback_export"))
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "路灯坏了" in text
    for secret in ["13812345678", "11010519491231002X", "张三丰", "13912345678"]:
        assert secret not in text


def test_case_not_public_is_not_listed(client, county):
    case = new_case(county.village_a1, is_public=False)
    actions.accept_case(county.village_a1_secretary, case.pk)
    page = client.get(reverse("feedback:list", args=[county.village_a1.pk])).content.decode()
    assert case.title_public not in page
    assert client.get(reverse("feedback:detail", args=[county.village_a1.pk, case.pk])).status_code == 404


def test_staff_walk_a_case_through_the_console_forms(client, county):
    case = new_case(county.village_a1)
    client.force_login(county.town_a_admin)
    step = lambda name, **data: client.post(reverse("console:feedback_step", args=[case.pk, name]), data)  # noqa: E731
    assert step("accept", version=1).status_code == 302
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "派单" in page
    assert step("dispatch", version=2, lead=county.village_a1.pk, note="尽快").status_code == 302
    client.force_login(county.village_a1_secretary)
    assert step("start", **{"start-version": 3}).status_code == 302
    assert step("answer", version=4, reply="已修好").status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED


def test_stale_form_is_refused_with_the_input_kept(client, county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:feedback_step", args=[case.pk, "answer"]), {"version": 1, "reply": "我写了很长的答复"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "我写了很长的答复" in body and "其他人" in body
    assert Case.objects.get(pk=case.pk).reply == ""


def test_empty_and_oversized_reply_get_messages(client, county):
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    client.force_login(county.village_a1_secretary)
    url = reverse("console:feedback_step", args=[case.pk, "answer"])
    assert "请写答复内容。" in client.post(url, {"version": 3, "reply": ""}).content.decode()
    assert "5000" in client.post(url, {"version": 3, "reply": "字" * 20000}).content.decode()
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_dispatch_suggests_the_catalogue_lead(client, county):
    DispatchRule.objects.create(place=county.town_a, category="complaint", lead=county.town_a)
    case = new_case(county.village_a1, category="complaint")
    other = new_case(county.village_a1, category="help")
    assert suggestions.suggest_lead(case) == county.town_a
    assert suggestions.suggest_lead(other) == county.village_a1
    DispatchRule.objects.create(place=county.village_a1, category="", lead=county.village_a1)
    assert suggestions.suggest_lead(case) == county.village_a1  # the deeper rule wins


def test_reply_templates_of_ancestors_are_offered(client, county):
    ReplyTemplate.objects.create(organization=county.town_a, title="已转交", text="您反映的问题已转交相关部门。")
    case = new_case(county.village_a1)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "您反映的问题已转交相关部门。" in page


def test_overdue_view_of_a_higher_organization_lists_cases_below(client, county):
    import datetime

    case = new_case(county.village_a1)
    Case.objects.filter(pk=case.pk).update(accept_deadline=case.received_at - datetime.timedelta(days=1))
    clock.scan_deadlines()
    client.force_login(county.county_admin)
    page = client.get(reverse("console:feedback_inbox") + "?view=overdue").content.decode()
    assert case.title in page and "督办" in page


@pytest.mark.parametrize("url_name", ["console:feedback_limits", "console:calendar"])
def test_settings_pages_are_for_the_county_administrator(client, county, url_name):
    client.force_login(county.town_a_admin)
    assert client.get(reverse(url_name)).status_code == 403
    client.force_login(county.county_admin)
    assert client.get(reverse(url_name)).status_code == 200


def test_calendar_override_entered_in_the_console_changes_deadlines(client, county):
    import datetime

    from dangjian.core.workdays import add_workdays

    client.force_login(county.county_admin)
    client.post(reverse("console:calendar"), {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    assert add_workdays(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)


def test_staff_add_photos_of_the_work_and_bad_files_are_refused(client, county):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dangjian.feedback.models import CasePhoto

    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (10, 120, 10)).save(buffer, "JPEG")
    case = new_case(county.village_a1)
    client.force_login(county.village_a1_secretary)
    url = reverse("console:feedback_step", args=[case.pk, "photos"])
    bad = SimpleUploadedFile("fixed.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(url, {"photos": [bad]})
    assert response.status_code == 400 and "fixed.jpg" in response.content.decode()
    assert not CasePhoto.objects.exists()
    good = SimpleUploadedFile("fixed.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert client.post(url, {"photos": [good]}).status_code == 302
    photo = CasePhoto.objects.get()
    assert photo.by_staff and max(Image.open(photo.image.path).size) == 1200


def _count_queries(client, url) -> tuple[int, str]:
    """The number of queries a page takes, and the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _listed_cases(html: str, prefix: str) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(rf'href="{re.escape(prefix)}(\d+)/"', html)}


@pytest.mark.parametrize(
    "url", ["/console/feedback/", "/console/feedback/?view=all", "/console/feedback/?view=overdue"]
)
def test_inbox_queries_do_not_grow_with_the_cases(client, county, url):
    import datetime

    import time_machine
    from django.utils import timezone

    cases = [new_case(county.village_a1, is_public=True) for _ in range(3)]
    for case in cases:
        actions.accept_case(county.county_admin, case.pk)
    later = timezone.now() + datetime.timedelta(days=60)  # every case overdue, for the overdue view
    with time_machine.travel(later, tick=False):
        client.force_login(county.town_a_admin)
        client.get(url)  # fills the caches that expired in the 60 days (the calendar's overrides)
        few, html = _count_queries(client, url)
    assert "共 3 件" in html and _listed_cases(html, "/console/feedback/") == {c.pk for c in cases}
    for _ in range(12):
        case = new_case(county.village_a2, is_public=True)
        actions.accept_case(county.county_admin, case.pk)
        cases.append(case)
    with time_machine.travel(later, tick=False):
        many, html = _count_queries(client, url)
    assert "共 15 件" in html and _listed_cases(html, "/console/feedback/") == {c.pk for c in cases}
    assert many == few


def test_public_list_queries_do_not_grow_with_the_cases(client, county):
    from django.core.cache import cache

    from dangjian.core.cache import content_generation

    cases = [new_case(county.village_a1, is_public=True) for _ in range(3)]
    for case in cases:
        actions.accept_case(county.county_admin, case.pk)
    url = f"/o/{county.county.pk}/feedback/"
    content_generation()  # the generation's token is in the shared cache, as after any committed change
    few, html = _count_queries(client, url)
    assert "共 3 件公开反馈" in html and _listed_cases(html, url) == {c.pk for c in cases}
    for _ in range(12):
        case = new_case(county.village_b1, is_public=True)
        actions.accept_case(county.county_admin, case.pk)
        cases.append(case)
    cache.clear()
    many, html = _count_queries(client, url)
    assert "共 15 件公开反馈" in html and _listed_cases(html, url) == {c.pk for c in cases}
    assert many == few


def test_county_administrator_changes_a_time_limit_for_new_cases(client, county):
    from dangjian.feedback.models import TimeLimit

    client.force_login(county.county_admin)
    data = {}
    for limit in TimeLimit.objects.all():
        for field in ["accept_days", "answer_days", "urgent_answer_days", "rating_days"]:
            data[f"{limit.category}-{field}"] = getattr(limit, field)
    data["consult-answer_days"] = 7
    assert client.post(reverse("console:feedback_limits"), data).status_code == 302
    assert TimeLimit.objects.get(category="consult").answer_days == 7
    data["consult-answer_days"] = -1
    response = client.post(reverse("console:feedback_limits"), data)
    assert response.status_code == 200 and TimeLimit.objects.get(category="consult").answer_days == 7


def test_township_administrator_keeps_a_dispatch_catalogue_within_its_area(client, county):
    client.force_login(county.town_a_admin)
    url = reverse("console:feedback_catalogue", args=[county.town_a.pk])
    response = client.post(url, {"place": county.village_a1.pk, "category": "complaint", "lead": county.town_a.pk})
    assert response.status_code == 302
    assert DispatchRule.objects.filter(place=county.village_a1, category="complaint", lead=county.town_a).exists()
    response = client.post(url, {"place": county.village_b1.pk, "category": "", "lead": county.village_b1.pk})
    assert response.status_code == 200 and DispatchRule.objects.count() == 1  # outside its area: not offered
    assert client.get(reverse("console:feedback_catalogue", args=[county.town_b.pk])).status_code == 403
    client.post(url, {"approval": "1"})
    from dangjian.feedback.models import FeedbackSettings

    assert FeedbackSettings.objects.get(organization=county.town_a).answers_need_approval


def test_reply_templates_are_kept_per_organization(client, county):
    client.force_login(county.village_a1_secretary)
    url = reverse("console:feedback_templates", args=[county.village_a1.pk])
    assert client.post(url, {"title": "已修复", "text": "您反映的问题已修复。"}).status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.organization == county.village_a1
    assert client.get(reverse("console:feedback_templates", args=[county.village_a2.pk])).status_code == 403


def test_9_20_reading_the_catalogue_page_writes_no_settings_row(client, county):
    from dangjian.feedback.models import FeedbackSettings

    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:feedback_catalogue", args=[county.town_a.pk])).content.decode()
    assert 'name="approval" value="0" checked' in page
    assert not FeedbackSettings.objects.exists()
    client.post(reverse("console:feedback_catalogue", args=[county.town_a.pk]), {"approval": "1"})
    assert FeedbackSettings.objects.get(organization=county.town_a).answers_need_approval


def test_a_case_raised_by_another_module_shows_where_it_came_from_on_the_staff_page_only(client, county):
    """E.g. a question to the organization (问政) turned into a case: 来源：问政 #12, linking to its page."""
    case = new_case(county.village_a1, origin_label="问政 #12", origin_url="/console/exchange/questions/12/")
    plain = new_case(county.village_a1, title="另一件事")
    assert (case.origin_label, case.origin_url) == ("问政 #12", "/console/exchange/questions/12/")
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert '来源： <a href="/console/exchange/questions/12/">问政 #12</a>' in page
    assert "来源：" not in client.get(reverse("console:feedback_case", args=[plain.pk])).content.decode()
