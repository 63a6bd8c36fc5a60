"""Personal data in a case is masked for everyone but the person it belongs to (issue 9, item 16)."""

import pytest

from dangjian.feedback import actions

from .conftest import new_case

pytestmark = pytest.mark.django_db

FIRST_CITIZEN = "我叫张三丰，电话13812345678。王庄村村口路灯坏了三个月，晚上看不见路。"
STAFF_ANSWER = "张三丰同志：路灯已修复，后续有问题请打13812345678联系您，或找电工李师傅。"


def _merged_pair(county, **main_fields):
    main = new_case(county.village_a1, description=FIRST_CITIZEN, contact_phone="13812345678", **main_fields)
    other = new_case(county.village_a1, title="路灯不亮", description="村口路灯也是坏的。")
    actions.accept_case(county.village_a1_secretary, main.pk)
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    return main, other


def _track_page(client, case) -> str:
    response = client.post("/feedback/lookup/", {"number": case.number, "password": case.query_password}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_9_16_a_merged_citizen_sees_the_staff_answer_masked(client, county):
    main, other = _merged_pair(county)
    actions.dispatch_case(county.village_a1_secretary, main.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, main.pk, STAFF_ANSWER)
    page = _track_page(client, other)
    assert "路灯已修复" in page
    assert "13812345678" not in page and "张三丰" not in page
    assert "138****5678" in page and "张**" in page


def test_9_16_the_citizen_the_answer_is_written_to_reads_it_whole(client, county):
    main, _other = _merged_pair(county)
    actions.dispatch_case(county.village_a1_secretary, main.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, main.pk, STAFF_ANSWER)
    page = _track_page(client, main)
    assert STAFF_ANSWER in page


def test_9_16_the_first_citizens_name_from_the_case_is_masked_in_the_answer_even_if_unusual(client, county):
    main = new_case(
        county.village_a1, description="本人单于飞，家住王庄村三组，村口路灯坏了。", contact_phone="0371-6612345"
    )
    other = new_case(county.village_a1, title="路灯不亮", description="村口路灯也是坏的。")
    actions.accept_case(county.village_a1_secretary, main.pk)
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    actions.dispatch_case(county.village_a1_secretary, main.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, main.pk, "单于飞您好，已修复。已按0371-6612345回电告知。")
    page = _track_page(client, other)
    assert "已修复" in page and "单于飞" not in page and "0371-6612345" not in page


def test_9_16_a_merged_citizen_sees_the_reason_for_not_accepting_masked(client, county):
    main = new_case(county.village_a1, description=FIRST_CITIZEN)
    other = new_case(county.village_a1, title="路灯不亮", description="村口路灯也是坏的。")
    actions.merge_case(county.village_a1_secretary, other.pk, main.pk)
    actions.reject_case(
        county.village_a1_secretary, main.pk, "张三丰反映的路灯属于县电力公司，请拨13812345678以外的热线。"
    )
    page = _track_page(client, other)
    assert "属于县电力公司" in page and "张三丰" not in page and "13812345678" not in page
