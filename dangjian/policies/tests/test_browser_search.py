"""Journey 3 in a real browser: the policy library with Chinese search, filters and a detail page."""

import datetime

import pytest

from dangjian.conftest import assert_accessible
from dangjian.policies.models import PolicyInterpretation
from dangjian.tests_support.browser import submit
from dangjian.tests_support.factories import PolicyFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(county, today):
    homestead = PolicyFactory(
        issuer=county.town_a,
        title="东城镇农村宅基地审批管理办法",
        category=category("housing"),
        doc_number="东政发〔2025〕8号",
        body="农户申请宅基地应向村集体经济组织提出书面申请，乡镇审批。",
    )
    PolicyInterpretation.objects.create(
        policy=homestead, title="《东城镇农村宅基地审批管理办法》解读", source="东城镇农业农村办", body="一、出台背景。"
    )
    PolicyFactory(
        issuer=county.county,
        title="清源县宅基地审批暂行规定（已废止）",
        category=category("housing"),
        issued_on=today - datetime.timedelta(days=2000),
        effective_on=today - datetime.timedelta(days=2000),
        expires_on=today - datetime.timedelta(days=400),
        body="宅基地审批的旧规定。",
    )
    PolicyFactory(
        issuer=county.county, title="关于做好城乡居民基本养老保险参保缴费工作的通知", body="养老保险个人缴费标准。"
    )
    return homestead


def test_citizen_searches_filters_and_reads_a_policy(phone, county, library):
    phone.goto(f"/o/{county.village_a1.pk}/")
    phone.get_by_label("搜索政策").fill("宅基地 审批")
    phone.get_by_label("搜索政策").press("Enter")

    assert "找到 2 条与“宅基地 审批”相关的政策" in phone.locator(".result-count").inner_text()
    titles = phone.locator(".results .policy-title")
    assert titles.count() == 2
    assert titles.first.locator("mark").first.inner_text() == "宅基地"
    assert phone.locator(".results .status-expired").count() == 1  # expired: marked, not hidden
    assert_accessible(phone)

    phone.locator("summary", has_text="筛选").click()  # the filters are folded away on a phone
    phone.get_by_label("效力状态").select_option("in_force")
    phone.get_by_role("button", name="按所选条件查看").click()
    assert phone.get_by_label("搜索政策").input_value() == "宅基地 审批"  # the query is kept
    assert phone.locator(".results .policy-title").all_inner_texts() == ["东城镇农村宅基地审批管理办法"]

    phone.get_by_role("link", name="东城镇农村宅基地审批管理办法").click()
    main = phone.locator("main").inner_text()
    for text in ["东政发〔2025〕8号", "中共测试县东城镇委员会", "政策解读", "东城镇农业农村办", "一、出台背景。"]:
        assert text in main
    assert_accessible(phone)


def test_search_with_nothing_found_and_odd_characters(phone, county, library):
    phone.goto(f"/o/{county.village_a1.pk}/policies/")
    phone.get_by_label("搜索政策").fill('"养老 OR (低保*')
    submit(phone, phone.get_by_role("button", name="搜索"))
    assert "未找到相关政策" in phone.get_by_role("status").inner_text()
    assert phone.locator(".results").count() == 0  # said once, not "找到 0 条" above "未找到"
    assert phone.get_by_role("link", name="没找到？我要咨询").is_visible()
    phone.get_by_label("搜索政策").fill("养老保险")
    submit(phone, phone.get_by_role("button", name="搜索"))
    assert phone.locator(".results .policy-title").all_inner_texts() == [
        "关于做好城乡居民基本养老保险参保缴费工作的通知"
    ]
