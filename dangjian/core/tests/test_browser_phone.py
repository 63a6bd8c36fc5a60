"""Issue 11 items 5 and 6 in a real browser, on a 390 px phone in both text sizes and on a desktop: a compact header
whose sections are one row of tabs (scrolling sideways on a phone, the current one in view, usable by keyboard),
the policy filters folded behind 筛选, names and dates that do not break, big controls, choice chips for the
feedback type that work by keyboard, required fields marked, a full-width submit button on a phone, and the
console's header on one line."""

import uuid

import pytest

from dangjian.conftest import assert_accessible
from dangjian.core.context_processors import LARGE_TEXT_COOKIE
from dangjian.feedback import actions as feedback
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

from .test_browser_pages import HEADER_BOUND, LAYOUT_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
CASES = [("phone", False), ("phone", True), ("desktop", False)]
IDS = ["phone-standard-text", "phone-large-text", "desktop"]


@pytest.fixture
def village(county):
    v = county.village_a1
    term = f.TermFactory(organization=v)
    f.LeaderFactory(term=term, name="欧阳秀英", post="党支部书记、村民委员会主任、村股份经济合作社理事长")
    f.LeaderFactory(term=term, name="司马建国", post="党支部副书记、村务监督委员会主任", sort_order=1)
    f.PolicyFactory(
        issuer=county.county, title="关于城乡居民基本养老保险缴费标准的通知", doc_number="测人社〔2026〕3号"
    )
    feedback.submit_case(
        place_id=v.pk,
        category="help",
        title="村口路灯坏了",
        description="王庄村村口路灯坏了三个月，晚上看不见路。",
        client_token=uuid.uuid4(),
        is_public=True,
    )
    return v


def open_page(browser, live_server, screen: str, large: bool):
    context = browser.new_context(viewport=SCREENS[screen], locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": LARGE_TEXT_COOKIE, "value": "1" if large else "0", "url": live_server.url}])
    return context, context.new_page()


def assert_layout(page, width: int) -> None:
    """Compact header, one row of tabs with the current one in view, nothing squeezed or broken, nothing wider
    than the screen except inside a row or a table that scrolls by itself, and no serious axe finding."""
    layout = page.evaluate(LAYOUT_JS, width)
    assert layout["header"] < HEADER_BOUND, f"header {layout['header']} px high on {page.url}"
    assert layout["rows"] and all(row["lines"] == 1 and row["currentInView"] for row in layout["rows"]), layout
    assert not layout["squeezed"], layout["squeezed"]
    assert_fits(page, width)
    assert_accessible(page)


@pytest.mark.parametrize(("screen", "large"), CASES, ids=IDS)
def test_portal_header_tabs_and_folded_filters(browser, live_server, village, screen, large):
    width = SCREENS[screen]["width"]
    context, page = open_page(browser, live_server, screen, large)
    sections = {
        f"/o/{village.pk}/": "首页",
        f"/o/{village.pk}/leaders/": "组织与领导",
        f"/o/{village.pk}/policies/": "政策服务",
        f"/o/{village.pk}/feedback/": "群众反馈",
        f"/o/{village.pk}/feedback/figures/": "群众反馈",
        f"/o/{village.pk}/supervision/new/": "监督举报",
    }
    for path, tab in sections.items():
        page.goto(path)
        assert page.evaluate("document.documentElement.classList.contains('large-text')") is large
        tabs = page.get_by_role("navigation", name="门户栏目")
        assert tabs.get_by_role("link", name=tab).get_attribute("aria-current") == "page"
        assert_layout(page, width)
    # The leaders' names stay on one line next to their photos, however long the post.
    page.goto(f"/o/{village.pk}/leaders/")
    for name in ("欧阳秀英", "司马建国"):
        box = page.locator(".leader-name", has_text=name).bounding_box()
        assert box is not None and box["height"] < 2 * page.evaluate(
            "parseFloat(getComputedStyle(document.body).fontSize)"
        )

    # The tabs by keyboard: Tab reaches the last one (scrolled into view if the row scrolls) and Enter opens it.
    page.goto(f"/o/{village.pk}/")
    last = page.get_by_role("navigation", name="门户栏目").get_by_role("link", name="监督举报")
    for _ in range(15):
        page.keyboard.press("Tab")
        if last.evaluate("el => el === document.activeElement"):
            break
    box = last.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/o/{village.pk}/supervision/")

    # Policy filters: folded behind 筛选 with the search box visible; opened, used, and open again on the result.
    page.goto(f"/o/{village.pk}/policies/")
    assert page.get_by_label("搜索政策").is_visible()
    assert not page.get_by_label("效力状态").is_visible()
    box = page.locator(".results .policy-item").first.bounding_box()
    assert box is not None and box["y"] < SCREENS[screen]["height"]  # the list starts on the first screen
    page.locator("summary", has_text="筛选").click()
    page.get_by_label("效力状态").select_option("in_force")
    submit(page, page.get_by_role("button", name="按所选条件查看"))
    assert "status=in_force" in page.url
    assert page.get_by_label("效力状态").is_visible()
    assert page.get_by_label("效力状态").input_value() == "in_force"
    assert_layout(page, width)
    context.close()


@pytest.mark.parametrize(("screen", "large"), CASES, ids=IDS)
def test_feedback_form_chips_big_controls_and_marked_fields(browser, live_server, village, screen, large):
    width = SCREENS[screen]["width"]
    context, page = open_page(browser, live_server, screen, large)
    page.goto(f"/o/{village.pk}/feedback/new/")
    assert_layout(page, width)

    # Radios and checkboxes: at least 24 px in large text, 20 px in standard.
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('main input[type=radio], main input[type=checkbox]')]"
        ".map(e => Math.min(e.getBoundingClientRect().width, e.getBoundingClientRect().height)))"
    )
    assert smallest >= (24 if large else 20)
    for selector in ("main select", "main button[type=submit]"):
        assert page.locator(selector).first.bounding_box()["height"] >= 24

    # The five types are chips holding real radio buttons: chosen by keyboard, the chosen one stands out.
    chips = page.locator(".chip")
    assert chips.all_inner_texts() == ["咨询", "求助", "投诉", "建议", "表扬"]
    page.get_by_label("咨询", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert page.get_by_label("求助", exact=True).is_checked()
    assert not page.get_by_label("咨询", exact=True).is_checked()
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).outlineStyle]"
    checked, unchecked = chips.nth(1).evaluate(style), chips.nth(2).evaluate(style)
    assert checked[0] != unchecked[0]  # filled when chosen
    assert checked[1] == "solid" and unchecked[1] == "none"  # the keyboard focus is outlined
    assert page.locator("fieldset legend", has_text="类型").is_visible()  # the chips sit in a fieldset

    # Consent to publish (item 7) and to an SMS (item 4) are explicit acts: both start unticked, and the words
    # say what is published and what never is.
    assert not page.locator("input[name=is_public]").is_checked()
    assert not page.locator("input[name=sms_consent]").is_checked()
    main = page.locator("main").inner_text()
    assert "我同意在公开列表中公布本件反馈及答复" in main and "不会公开：您的联系电话和照片" in main

    # Required fields are marked, and "*" is explained once.
    assert page.get_by_text("带 * 的为必填项。").count() == 1
    for field in ("id_title", "id_description", "id_place"):
        assert page.locator(f"label[for={field}] .required-mark").is_visible()
    assert page.locator("label[for=id_contact_phone] .required-mark").count() == 0
    assert page.locator("#id_place").get_attribute("aria-required") == "true"

    # The submit button spans the form on a phone, not on a desktop; a missing title says what to write.
    button = page.get_by_role("button", name="提交")
    form_width = page.locator("form.submit-form").evaluate(
        "el => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft) * 2"
    )
    button_width = button.bounding_box()["width"]
    assert (abs(button_width - form_width) < 2) is (screen == "phone")
    submit(page, button)
    main = page.locator("main").inner_text()
    assert "请用一句话写个标题。" in main
    assert "这个字段是必填项" not in main
    assert page.get_by_label("求助", exact=True).is_checked()  # the choice is kept
    assert_layout(page, width)
    context.close()


@pytest.mark.parametrize(("screen", "large"), CASES, ids=IDS)
def test_values_whole_leaders_together_and_cases_first(browser, live_server, county, village, screen, large):
    """Large text on a phone: facts keep their values whole, a leader's name and post stay together beside the
    photo, and the public list of cases starts on the first screen with the figures in one compact line."""
    width, height = SCREENS[screen]["width"], SCREENS[screen]["height"]
    case, password, _ = feedback.submit_case(
        place_id=village.pk,
        category="help",
        title="水渠堵了",
        description="村东水渠堵了。",
        client_token=uuid.uuid4(),
        is_public=True,
    )
    secretary = county.village_a1_secretary
    feedback.accept_and_handle_case(secretary, case.pk)
    feedback.answer_case(secretary, case.pk, "已疏通。")
    context, page = open_page(browser, live_server, screen, large)

    # The case after a lookup: every value of the facts on one line (no "已答复待评/价", no broken date).
    page.goto("/feedback/lookup/")
    page.get_by_label("受理编号").fill(case.number)
    page.get_by_label("查询密码").fill(password)
    submit(page, page.get_by_role("button", name="查询"))
    assert page.get_by_test_id("case-state").inner_text().startswith("已答复")
    heights = page.locator("main .facts dd").evaluate_all(
        "dds => dds.map(dd => [dd.innerText, dd.getBoundingClientRect().height / parseFloat(getComputedStyle(dd).lineHeight)])"
    )
    assert any(text == village.name for text, _ in heights), heights
    # (In standard text a long organization name may take two lines beside its label; nothing else breaks.)
    assert all(lines < 1.5 for text, lines in heights if large or text != village.name), heights
    assert_layout(page, width)

    # The team: the post right under the name, both beside the photo.
    page.goto(f"/o/{village.pk}/leaders/")
    for name in ("欧阳秀英", "司马建国"):
        row = page.locator(".leader-row", has_text=name)
        photo, who, post = (row.locator(s).bounding_box() for s in (".avatar", ".leader-name", ".leader-post"))
        assert who["x"] >= photo["x"] + photo["width"] and abs(post["x"] - who["x"]) < 1, (photo, who, post)
        assert 0 <= post["y"] - (who["y"] + who["height"]) < 8, (who, post)

    # The public list: the first case on the first screen; the figures are still there, linked to all figures.
    page.goto(f"/o/{village.pk}/feedback/")
    first = page.locator(".case-list .case-title").first.bounding_box()
    assert first["y"] + first["height"] <= height, first
    figures = page.locator(".figures")
    assert figures.is_visible() and "受理件数" in figures.inner_text()
    assert page.get_by_role("link", name="全部数据").is_visible()
    assert_layout(page, width)
    context.close()


@pytest.mark.parametrize(("screen", "large"), CASES, ids=IDS)
def test_console_header_is_one_line_and_inbox_filters_fold(browser, live_server, county, screen, large):
    width = SCREENS[screen]["width"]
    feedback.submit_case(
        place_id=county.village_a1.pk,
        category="help",
        title="村口路灯坏了",
        description="路灯坏了。",
        client_token=uuid.uuid4(),
    )
    context, page = open_page(browser, live_server, screen, large)
    sign_in(page, county.county_admin.username)
    page.goto("/console/")
    menu = page.get_by_role("navigation", name="管理后台")
    assert menu.get_by_role("link", name="后台首页").get_attribute("aria-current") == "page"
    assert_layout(page, width)
    # Sign-out is in view without scrolling anything sideways (a shared phone must be left signed out).
    sign_out = page.get_by_role("button", name="退出登录")
    box = sign_out.bounding_box()
    assert sign_out.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
    assert box["y"] + box["height"] <= SCREENS[screen]["height"]
    page.goto("/console/feedback/")
    # The missing-calendar warning is one short line with its link, and the cases start on the first screen.
    warning = page.get_by_role("alert")
    assert "节假日日历" in warning.inner_text() and warning.get_by_role("link", name="去补充").is_visible()
    line = warning.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert warning.bounding_box()["height"] < 1.5 * line + 20
    first = page.locator("table.inbox tbody tr a").first.bounding_box()
    assert first["y"] + first["height"] <= SCREENS[screen]["height"], first
    assert page.get_by_label("搜索").first.is_visible()
    assert not page.get_by_label("状态").is_visible()
    page.locator("summary", has_text="筛选").click()
    assert page.get_by_label("状态").is_visible()
    assert_layout(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    page.goto("/console/")
    assert "/accounts/login/" in page.url
    context.close()
