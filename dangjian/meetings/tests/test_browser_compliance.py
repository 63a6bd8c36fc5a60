"""Meeting compliance in a real browser: a township's administrator opens the grid of its branches on a phone (in
both text sizes) and on a desktop, reads each month as words, chooses last year, and drills down to a branch."""

import datetime

import pytest
from django.utils import timezone

from dangjian.conftest import assert_accessible
from dangjian.meetings.models import Meeting
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def held(branch, kind, day):
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    Meeting.objects.create(
        organization=branch,
        kind=kind,
        topic="学习会",
        starts_at=starts,
        audience="branch",
        state="held",
        held_at=starts,
    )


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_township_admin_reads_the_grid_and_drills_down_to_a_branch(phone, county, settings, width, large):
    settings.MEETING_FREQUENCIES = {"committee": "monthly", "life": "yearly"}
    year = timezone.localdate().year - 1
    f.member(county.village_a1)
    f.member(county.village_a2)
    for month in range(1, 13):
        if month != 2:
            held(county.village_a1, "committee", datetime.date(year, month, 10))
    held(county.village_a1, "life", datetime.date(year, 12, 20))
    phone.set_viewport_size({"width": width, "height": 844})
    sign_in(phone, "town_a_admin")
    phone.wait_for_url("**/console/")
    if large:
        submit(phone, phone.get_by_role("link", name="大字模式"))
    submit(phone, phone.get_by_test_id("compliance-panel").get_by_role("link", name=county.town_a.name))
    assert phone.locator("h1").inner_text().endswith(f"{timezone.localdate().year}年三会一课落实情况")

    phone.get_by_label("年份").fill(str(year))
    submit(phone, phone.get_by_role("button", name="查看该年"))
    grid = phone.get_by_test_id("compliance-grid")
    wang = grid.locator(f"tr[data-branch='{county.village_a1.pk}']")
    cells = wang.locator("td")

    def shown(cell):  # the cell's visible words (the screen reader's label is read apart)
        return cell.locator("[aria-hidden=true]").inner_text()

    # Readable as text without colour: January all held, February one missing (named for screen readers).
    assert shown(cells.nth(0)) == "齐"
    assert shown(cells.nth(1)) == "缺1"
    assert cells.nth(1).locator(".visually-hidden").text_content() == "2月：未按期召开：支部委员会"
    assert cells.nth(12).inner_text() == "1"  # missing in the year
    li = grid.locator(f"tr[data-branch='{county.village_a2.pk}'] td")
    assert shown(li.nth(11)) == "缺2"  # December: the committee and the year's life meeting
    assert phone.get_by_text("口径说明").is_visible()
    assert phone.evaluate("document.documentElement.classList.contains('large-text')") is large
    assert_accessible(phone)
    assert_fits(phone, width)

    submit(phone, wang.get_by_role("link", name="王庄村"))
    assert phone.get_by_test_id("compliance-summary").inner_text() == "已召开：12。未按期召开：1。本期待开：0。"
    assert phone.get_by_text("2月 未按期召开").is_visible()
    assert_accessible(phone)
    assert_fits(phone, width)
