"""Issue 11 items 8 and 9 in a real browser, on a 390 px phone in both text sizes (the site's own 大字模式 switch)
and on a desktop: a village secretary sees "您有 1 件待受理", follows it, accepts and handles the case in one step,
uses a reply template and answers; a township officer picks the assisting villages by typing part of a name."""

import pytest
from playwright.sync_api import expect

from dangjian.conftest import assert_accessible
from dangjian.feedback import actions
from dangjian.feedback.models import Case, ReplyTemplate, State
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

from .conftest import new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone-standard": ({"width": 390, "height": 844}, False),
    "phone-large-text": ({"width": 390, "height": 844}, True),
    "desktop": ({"width": 1280, "height": 900}, False),
}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser, live_server):
    viewport, large = VIEWPORTS[request.param]
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.large = large
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    # The picker is our own static file and keeps to the Content Security Policy: no refusal, no script error.
    assert errors == []


def fits(page) -> None:
    """Nothing wider than the screen, and no serious accessibility finding."""
    assert_fits(page)
    assert_accessible(page)


def _text_size(page) -> None:
    if page.large:  # the site's own switch, as a person would use it
        submit(page, page.get_by_role("link", name="大字模式"))
        assert page.evaluate("document.documentElement.classList.contains('large-text')")


def test_a_village_secretary_answers_a_new_case_from_the_to_do_in_one_step(page, county):
    case = new_case(county.village_a1, title="村口路灯坏了")
    ReplyTemplate.objects.create(
        organization=county.town_a, title="已修复", text="经核实，您反映的问题已处理完毕，感谢您的监督。"
    )
    sign_in(page, "a1_secretary")
    page.goto("/console/")
    _text_size(page)
    todo = page.get_by_role("link", name="您有 1 件待受理")
    assert todo.is_visible()
    fits(page)
    submit(page, todo)
    assert "只显示：待受理" in page.locator("main").inner_text()
    submit(page, page.get_by_role("link", name="村口路灯坏了"))
    assert page.get_by_text("本单位没有下级单位").is_visible()
    assert page.get_by_role("button", name="受理", exact=True).count() == 0  # the one step replaces it
    fits(page)
    submit(page, page.get_by_role("button", name="受理并办理"))
    assert page.get_by_test_id("state").inner_text() == "办理中"
    history = page.locator(".timeline").inner_text()
    assert "受理 · 王庄村" in history and "开始办理 · 王庄村" in history and "本单位直接办理" in history

    reply = page.get_by_label("答复群众（群众本人可查看，不公开）")  # the citizen did not agree to publish
    reply.fill("您好：")
    page.get_by_label("答复模板").select_option(label="已修复")
    page.get_by_role("button", name="使用").click()
    assert reply.input_value() == "您好：\n经核实，您反映的问题已处理完毕，感谢您的监督。"
    fits(page)
    submit(page, page.get_by_role("button", name="提交答复"))
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.ANSWERED and case.reply.replace("\r\n", "\n").startswith("您好：\n经核实")
    page.goto("/console/")
    assert page.get_by_text("您现在没有待办事项。").is_visible()


def test_a_township_officer_picks_assisting_villages_by_typing_part_of_a_name(page, county):
    for name in ["张庄村", "刘集村", "河湾村", "后营村", "前营村", "马庄村", "高庙村", "杨楼村"]:
        f.OrganizationFactory(name=f"东城镇{name}党支部委员会", short_name=name, parent=county.town_a)
    case = new_case(county.village_a1, title="两村交界处道路塌陷")
    actions.accept_case(county.town_a_admin, case.pk)
    sign_in(page, "town_a_admin")
    page.goto(f"/console/feedback/{case.pk}/")
    _text_size(page)
    page.get_by_label("承办单位").select_option(label="\u3000东城镇王庄村党支部委员会")
    picker = page.locator(".ts-wrapper.picker")
    assert picker.is_visible()  # the plain select became the picker
    search = page.get_by_role("combobox", name="协办单位（可选）")
    search.click()
    search.press_sequentially("李湾")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    assert "李湾村" in options.first.inner_text()
    fits(page)
    options.first.click()
    search.press_sequentially("没有这个村")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text("没有找到，请少输几个字再试")
    search.fill("")
    search.press("Escape")
    submit(page, page.get_by_role("button", name="派单"))
    case = Case.objects.get(pk=case.pk)
    assert case.lead_org == county.village_a1
    assert list(case.assisting_orgs.all()) == [county.village_a2]
    fits(page)
