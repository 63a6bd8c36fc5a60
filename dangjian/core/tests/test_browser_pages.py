"""Every page on a phone (issue 9.19): nothing wider than a 390 px screen in either text size, and no serious or
critical axe-core finding; a compact header, one row of section tabs and no text squeezed to one character a line
(issue 11 item 5). Each visitor (a citizen, a reporter, staff of every role, discipline officers) starts
at their home page and follows the links the pages show, one URL of each page pattern per visitor; axe-core checks each page pattern once in each text size."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import Role
from dangjian.core.context_processors import LARGE_TEXT_COOKIE
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import OVERFLOW_JS, phone_page, sign_in, submit
from dangjian.tests_support.pages import Crawl, all_pages, links, page_name, populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
STAFF_PAGES = ("/console/", "/accounts/", "/learning/", "/rooms/")  # a learner's pages (training, ...), the rooms

# Issue 11 item 5: the header is compact (under a fifth of an 844 px screen in either text size), its sections
# are one row of tabs (the row may scroll sideways; the current tab is in view), and no text is squeezed to one
# character per line (a name, a date, a state in a table cell).
HEADER_BOUND = 844 / 5
LAYOUT_JS = """(width) => {
  const header = document.querySelector('.site-header');
  const rows = [...document.querySelectorAll('.section-nav ul')].map((row) => {
    const tops = new Set([...row.children].map((li) => Math.round(li.getBoundingClientRect().top)));
    const current = row.querySelector('[aria-current="page"]');
    const box = current && current.getBoundingClientRect();
    return {lines: tops.size, currentInView: !box || (box.left >= -0.5 && box.right <= width + 0.5)};
  });
  const squeezed = [];
  for (const el of document.querySelectorAll('main *, .site-header *')) {
    if (el.children.length || el.closest('.visually-hidden')) continue;
    const text = el.textContent.trim();
    if ([...text].length < 2) continue;
    // The text's own line boxes (not the element's, which a min-height makes tall): several lines, each
    // no wider than two characters, is text squeezed to a character or two a line.
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (lines > 1 && range.getBoundingClientRect().width < 2.5 * size) squeezed.push(el.tagName.toLowerCase() + ' "' + text.slice(0, 12) + '"');
  }
  // A name or a date that breaks over two lines ("2026-11-" / "30"): an inline box in more than one piece.
  for (const el of document.querySelectorAll('main time, main .nowrap, main .leader-name, main .date')) {
    if (el.getClientRects().length > 1) squeezed.push(el.tagName.toLowerCase() + ' broken "' + el.textContent.trim().slice(0, 12) + '"');
  }
  return {header: header ? header.getBoundingClientRect().height : 0, rows, squeezed: squeezed.slice(0, 4)};
}"""


class Phone:
    """One visitor's phone: visits pages in both text sizes and keeps what was found wrong."""

    def __init__(self, browser, live_server, who: str, problems: list[str], names: set, axed: set):
        self.context, self.page = phone_page(browser, live_server)
        self.url = live_server.url
        self.who = who
        self.problems = problems
        self.names = names
        self.axed = axed
        self.axe = Axe()

    def text_size(self, large: bool) -> None:
        self.context.add_cookies([{"name": LARGE_TEXT_COOKIE, "value": "1" if large else "0", "url": self.url}])

    def check(self, label: str, large: bool, name: str | None = None) -> None:
        """The page as it is now: its width, and (the first time a pattern is seen in this text size) axe-core."""
        size = "large text" if large else "standard text"
        found = self.page.evaluate(OVERFLOW_JS, WIDTH)
        if found["scrollWidth"] > WIDTH or found["offenders"]:
            self.problems.append(
                f"{self.who} {label} ({size}): page {found['scrollWidth']} px wide; {'; '.join(found['offenders'])}"
            )
        layout = self.page.evaluate(LAYOUT_JS, WIDTH)
        if layout["header"] > HEADER_BOUND:
            self.problems.append(f"{self.who} {label} ({size}): header {round(layout['header'])} px high")
        for row in layout["rows"]:
            if row["lines"] != 1 or not row["currentInView"]:
                self.problems.append(f"{self.who} {label} ({size}): section tabs {row}")
        if layout["squeezed"]:
            self.problems.append(f"{self.who} {label} ({size}): one character per line: {layout['squeezed']}")
        if (name or label, large) not in self.axed:
            self.axed.add((name or label, large))
            results = self.axe.run(self.page)
            for v in results.response["violations"]:
                if v.get("impact") in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"]][:3]
                    self.problems.append(f"{self.who} {label} ({size}): axe {v['id']} ({v['impact']}) {targets}")

    def visit(self, path: str) -> list[str]:
        """Open a page in both text sizes; returns the links it shows."""
        found = []
        for large in (False, True):
            self.text_size(large)
            response = self.page.goto(path)
            if response is None or response.status != 200 or "text/html" not in response.headers["content-type"]:
                self.problems.append(f"{self.who} {path}: {response.status if response else 'no response'}")
                return []
            self.check(path, large, page_name(path))
            if not large:
                found = links(self.page.content(), self.page.url)
        self.names.add(page_name(self.page.url.removeprefix(self.url)))
        self.text_size(False)
        return found

    def crawl(self, seeds: list[str], within: tuple[str, ...] = ("/",)) -> None:
        crawl = Crawl(seeds, within, per_pattern=1)
        for path in crawl:
            crawl.add(self.visit(path))

    def close(self) -> None:
        self.context.close()


def _citizen_forms(phone: Phone, county, site) -> None:
    """Pages reached by sending a form: the feedback receipt, the case after a lookup, the report receipt and
    the reporter's follow-up page, each in both text sizes."""
    page = phone.page
    for large in (False, True):
        phone.text_size(large)
        page.goto(f"/o/{county.village_a1.pk}/feedback/new/")
        page.get_by_label("求助").check()
        page.get_by_label("标题").fill("村口路灯坏了")
        page.get_by_label("具体情况").fill("王庄村村口路灯坏了三个月，晚上老人出门看不见。")
        page.get_by_label("联系电话（可选）").fill("13812345678")
        submit(page, page.get_by_role("button", name="提交"))
        phone.check("feedback receipt", large)

        # Looking up by mobile number and the SMS code (issue 11 item 4): the code form, then one's cases.
        page.goto(f"/feedback/lookup/mobile/?org={county.village_a1.pk}")
        page.get_by_label("手机号码").fill("13812345678")
        submit(page, page.get_by_role("button", name="获取验证码"))
        phone.check("code sent", large)
        sent = SmsMessage.objects.filter(key__startswith="feedback.code:").latest("pk").text
        page.get_by_label("短信验证码").fill(re.search(r"\d{6}", sent).group(0))
        submit(page, page.get_by_role("button", name="查询", exact=True))
        phone.check("my cases after a code", large)

        page.goto("/feedback/lookup/")
        page.get_by_label("受理编号").fill(site.case_number)
        page.get_by_label("查询密码").fill(site.case_password)
        submit(page, page.get_by_role("button", name="查询"))
        phone.check("feedback case after lookup", large)

        page.goto(f"/o/{county.village_a1.pk}/supervision/new/")
        page.get_by_label("匿名举报").check()
        page.get_by_label("违反了哪项纪律？").select_option("integrity")
        page.get_by_label("具体问题类型").select_option("吃拿卡要")
        page.get_by_label("被举报人").fill("王大海")
        page.get_by_label("具体情况").fill("办理宅基地审批时索要好处费五百元。")
        page.get_by_label("我如实反映所了解的情况", exact=False).check()
        submit(page, page.get_by_role("button", name="提交举报"))
        phone.check("supervision receipt", large)

        page.goto("/supervision/follow/")
        page.locator("input[name=receipt]").fill(site.receipt)
        submit(page, page.get_by_role("button", name="查询"))
        phone.check("supervision follow-up", large)
    phone.names.update({"feedback:track", "feedback:mine", "supervision:follow"})
    phone.text_size(False)


def _sign_in(phone: Phone, user) -> None:
    sign_in(phone.page, user.username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        phone.page.goto("/console/2fa/")
        phone.page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
        submit(phone.page, phone.page.locator("form:has(input[name=token]) button[type=submit]"))


def test_9_19_every_page_fits_a_phone_in_both_text_sizes_and_passes_axe(browser, live_server, county):
    site = populate(county)
    c = county
    problems: list[str] = []
    names: set = set()
    axed: set = set()

    citizen = Phone(browser, live_server, "citizen", problems, names, axed)
    citizen.crawl(
        [
            "/",
            f"/o/{c.village_a1.pk}/",
            f"/o/{c.village_a1.pk}/policies/?q=养老保险",
            "/feedback/lookup/",
            "/supervision/follow/",
            "/accounts/login/",
            f"/learning/lessons/{site.quiz_lesson.pk}/quiz/",
        ]
    )
    _citizen_forms(citizen, c, site)
    citizen.close()

    newcomer = f.staff("b_officer_new", Role.DISCIPLINE, c.town_b)
    # Staff of each kind: the county's administrator (also the settings of the whole county), a media officer, a
    # village secretary, a township secretary (approvals, the audit trail), an officer, an officer enrolling.
    c = county
    for user in [c.county_admin, c.town_a_media, c.village_a1_secretary, site.head, site.officers[0], newcomer]:
        phone = Phone(browser, live_server, user.username, problems, names, axed)
        _sign_in(phone, user)
        seeds = ["/console/2fa/"] if user == newcomer else ["/console/", "/accounts/password/"]
        if user == c.county_admin:
            # Move is offered only where there is somewhere to go (a village, from its township's page, which the
            # one-per-pattern crawl does not reach after the county's).
            seeds.append(f"/console/o/{c.village_a1.pk}/move/")
        if user == c.town_a_media:
            # The course being written (its lesson pages); the one-per-pattern crawl may open a published one first.
            seeds.append(f"/console/learning/courses/{site.draft_course.pk}/")
        if user == c.village_a1_secretary:
            # The held meeting (print page, correction); the one-per-pattern crawl would open a coming one.
            seeds.append(f"/console/meetings/{site.held_meeting}/")
        phone.crawl(seeds, STAFF_PAGES)
        phone.close()
    # A party member with an account and no role: their learning (the exam they are sitting, their certificate).
    member = Phone(browser, live_server, site.member_user.username, problems, names, axed)
    _sign_in(member, site.member_user)
    member.crawl(["/learning/mine/", "/console/", "/rooms/", f"/o/{c.village_a1.pk}/questions/ask/"], STAFF_PAGES)
    member.close()
    # A verified resident (issue 15): their rooms, their account page, asking the organization.
    from django.contrib.auth import get_user_model

    resident = get_user_model().objects.get(username="13500000002")
    neighbour = Phone(browser, live_server, resident.username, problems, names, axed)
    _sign_in(neighbour, resident)
    neighbour.crawl(["/rooms/", "/rooms/residents/me/", f"/o/{c.village_a1.pk}/questions/ask/"], STAFF_PAGES)
    neighbour.close()

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert not all_pages() - names, f"no link reached these pages: {sorted(all_pages() - names)}"
