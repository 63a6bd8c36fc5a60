"""Feedback journeys in a real browser: a citizen's case through every step, and 督办 with the clock moved."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from dangjian.conftest import assert_accessible
from dangjian.feedback.models import Case, State
from dangjian.tests_support.browser import phone_page, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_submits_staff_handle_and_citizen_rates(browser, live_server, county, tmp_path):
    photo = tmp_path / "lamp.jpg"
    Image.new("RGB", (3000, 2000), (30, 30, 60)).save(photo, format="JPEG")
    citizen_context, citizen = phone_page(browser, live_server)

    citizen.goto(f"/o/{county.village_a1.pk}/")
    citizen.get_by_role("link", name="群众反馈").click()
    assert_accessible(citizen)
    citizen.get_by_role("link", name="我要反映").click()
    citizen.get_by_label("求助").check()
    citizen.get_by_label("标题").fill("村口路灯坏了")
    citizen.get_by_label("具体情况").fill("王庄村村口路灯坏了三个月，晚上老人出门看不见。我叫张三丰，电话13812345678。")
    citizen.get_by_label("照片（可选，最多6张）").set_input_files(str(photo))
    citizen.get_by_label("联系电话（可选）").fill("13812345678")
    consent = citizen.get_by_label("我同意在公开列表中公布本件反馈及答复")
    assert not consent.is_checked()  # consent is the citizen's own act (PIPL)
    consent.check()
    assert_accessible(citizen)
    submit(citizen, citizen.get_by_role("button", name="提交"))
    number = citizen.get_by_test_id("case-number").inner_text()
    password = citizen.get_by_test_id("case-password").inner_text()
    assert len(password) == 8
    assert_accessible(citizen)
    case = Case.objects.get(number=number)
    assert case.photos.count() == 1

    staff_context, staff = phone_page(browser, live_server)
    sign_in(staff, "town_a_admin")
    staff.goto("/console/feedback/")
    staff.get_by_role("link", name="村口路灯坏了").click()
    assert_accessible(staff)
    submit(staff, staff.get_by_role("button", name="受理", exact=True))
    assert "工单已受理" in staff.locator(".messages").inner_text()
    staff.get_by_label("承办单位").select_option(str(county.village_a1.pk))
    staff.get_by_label("派单意见（内部）").fill("请三个工作日内修好")
    submit(staff, staff.get_by_role("button", name="派单"))
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED

    staff_context.clear_cookies()
    sign_in(staff, "a1_secretary")
    staff.goto(f"/console/feedback/{case.pk}/")
    submit(staff, staff.get_by_role("button", name="开始办理"))
    staff.get_by_label("答复群众（将公开）").fill("已更换路灯灯泡，张三丰反映的问题已解决。")
    assert_accessible(staff)
    submit(staff, staff.get_by_role("button", name="提交答复"))
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED

    # The citizen follows up later from another device with number and password.
    citizen_context.clear_cookies()
    citizen.goto("/feedback/lookup/")
    citizen.get_by_label("受理编号").fill(number)
    citizen.get_by_label("查询密码").fill(password)
    assert_accessible(citizen)
    submit(citizen, citizen.get_by_role("button", name="查询"))
    assert "已更换路灯灯泡" in citizen.get_by_test_id("reply").inner_text()
    assert_accessible(citizen)
    citizen.get_by_label("满意", exact=True).check()
    citizen.get_by_label("意见（可选）").fill("修得很快，谢谢")
    submit(citizen, citizen.get_by_role("button", name="提交评价"))
    assert "已办结" in citizen.get_by_test_id("case-state").inner_text()
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"

    # The public list shows the case masked, with the answering organization and the rating.
    citizen.goto(f"/o/{county.town_a.pk}/feedback/")
    item = citizen.locator(".case-item").first.inner_text()
    assert "村口路灯坏了" in item and "满意" in item and "张三丰" not in item
    assert "张**" in item
    citizen.get_by_role("link", name="全部数据").click()
    assert "满意率" in citizen.locator("main").inner_text()
    assert_accessible(citizen)
    citizen_context.close()
    staff_context.close()


def test_overdue_case_appears_in_the_parents_supervision_list(browser, live_server, county):
    received = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(received, tick=False):
        from .conftest import new_case

        case = new_case(county.village_a1, title="垃圾清运不及时")
    # Two working days later nobody has accepted it; the clock enqueues the scan, the worker runs it.
    with time_machine.travel(received + datetime.timedelta(days=2), tick=True):
        call_command("run_clock", "--once")
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        case.refresh_from_db()
        assert case.supervised and case.supervising_org == county.town_a

        context, page = phone_page(browser, live_server)
        sign_in(page, "town_a_admin")
        page.goto("/console/feedback/")
        page.get_by_role("link", name="超期 / 督办").click()
        row = page.locator("tr", has_text="垃圾清运不及时")
        assert "督办" in row.inner_text()
        assert_accessible(page)
        page.goto("/console/notifications/")
        assert "已超期" in page.locator("main").inner_text()
        context.close()
