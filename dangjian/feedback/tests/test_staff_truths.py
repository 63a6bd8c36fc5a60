"""Issue 11, first-week findings on the staff side of 群众反馈: labels that tell the truth for the case, merging
offered only into cases still open, and form messages that say what to do."""

import re

import pytest
from django.urls import reverse

from dangjian.feedback import actions

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _in_progress(county, **kwargs):
    case = new_case(county.village_a1, **kwargs)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    return case


def _answer_label(page: str) -> str:
    return re.search(r'<label for="id_reply">([^<：]+)', page).group(1)


@pytest.mark.parametrize("public", [True, False], ids=["public", "private"])
def test_the_answer_box_says_whether_the_reply_is_published(client, county, public):
    case = _in_progress(county, is_public=public)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    expected = "答复群众（将公开）" if public else "答复群众（群众本人可查看，不公开）"
    assert _answer_label(page) == expected
    # The same after a refused post (the bound form).
    response = client.post(reverse("console:feedback_step", args=[case.pk, "answer"]), {"version": 3, "reply": ""})
    assert response.status_code == 400 and _answer_label(response.content.decode()) == expected


def test_submission_and_acceptance_times_are_named_for_what_they_are(client, county):
    case = new_case(county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "<dt>提交时间</dt>" in page and "受理时间" not in page
    actions.accept_case(county.village_a1_secretary, case.pk)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert "<dt>提交时间</dt>" in page and "<dt>受理时间</dt>" in page and 'data-testid="accepted-at"' in page


def _answered_lamp_case(county):
    done = _in_progress(county, title="村口路灯坏了", description="王庄村村口的路灯坏了，晚上很黑")
    actions.answer_case(county.village_a1_secretary, done.pk, "路灯已修好")
    return done


def test_merging_is_offered_only_into_cases_still_open(client, county):
    done = _answered_lamp_case(county)
    open_one = new_case(county.village_a1, title="路灯坏了", description="村口的路灯坏了，晚上很黑")
    new = new_case(county.village_a1, title="路灯不亮", description="村口路灯坏了好几天，晚上很黑看不见")
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[new.pk])).content.decode()
    items = re.findall(r'<li data-testid="candidate">(.*?)</li>', page, re.S)
    finished = [item for item in items if done.number in item]
    still_open = [item for item in items if open_one.number in item]
    assert len(finished) == 1 and len(still_open) == 1
    # The finished case is listed as reference, without the merge button; the open one can take the report.
    assert "并入此工单" not in finished[0] and "仅供参考" in finished[0]
    assert "并入此工单" in still_open[0] and f'value="{open_one.pk}"' in still_open[0]
    # The date stays whole on a narrow phone.
    assert re.search(r'<span class="nowrap">\d\d-\d\d</span>', finished[0])


def test_a_raw_post_merging_into_a_finished_case_is_refused(client, county):
    done = _answered_lamp_case(county)
    new = new_case(county.village_a1, title="路灯不亮", description="村口路灯坏了好几天，晚上很黑看不见")
    client.force_login(county.village_a1_secretary)
    response = client.post(reverse("console:feedback_step", args=[new.pk, "merge"]), {"into": done.pk})
    assert response.status_code == 400 and "已答复或已办结" in response.content.decode()
    new.refresh_from_db()
    done.refresh_from_db()
    assert new.state == "received" and new.merged_into_id is None and done.supporters == 1


GENERIC = "这个字段是必填项"


@pytest.mark.parametrize(
    ("state", "step", "data", "message"),
    [
        ("in_progress", "answer", {"version": 3, "reply": ""}, "请写答复内容。"),
        ("in_progress", "answer", {"reply": "已修好"}, "页面已过时，请刷新后重试。"),
        ("received", "reject", {"reject-version": 1, "reject-reason": ""}, "请写明不予受理的理由（群众会看到）。"),
        ("in_progress", "return", {"return-version": 3, "return-reason": ""}, "请写明退单的理由。"),
        ("accepted", "dispatch", {"version": 2, "lead": ""}, "请选择承办单位。"),
        ("received", "note", {"text": ""}, "请写备注内容。"),
        ("in_progress", "extend", {"days": "", "reason": ""}, "请填写需要延长的工作日数（1 至 30）。"),
        ("in_progress", "extend", {"days": "2", "reason": ""}, "请写明需要延期的原因。"),
        ("received", "photos", {}, "请选择要上传的照片。"),
    ],
    ids=["reply", "stale", "reject", "return", "dispatch", "note", "days", "extend-reason", "photos"],
)
def test_staff_case_forms_say_what_to_write(client, county, state, step, data, message):
    if state == "in_progress":
        case = _in_progress(county)
    else:
        case = new_case(county.village_a1)
        if state == "accepted":
            actions.accept_case(county.town_a_admin, case.pk)
    client.force_login(county.town_a_admin)
    response = client.post(reverse("console:feedback_step", args=[case.pk, step]), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and GENERIC not in page


def test_console_settings_forms_say_what_to_write(client, county):
    client.force_login(county.county_admin)
    page = client.post(reverse("console:calendar"), {"date": "", "is_workday": ""}).content.decode()
    assert "请选择日期。" in page and "请选择这一天是休息日还是工作日。" in page and GENERIC not in page
    url = reverse("console:feedback_templates", args=[county.county.pk])
    page = client.post(url, {"title": "", "text": ""}).content.decode()
    assert "请给模板起一个简短的标题。" in page and "请写模板内容。" in page and GENERIC not in page
