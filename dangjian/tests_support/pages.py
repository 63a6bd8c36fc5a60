"""Every page of the site, for the tests that check them all: a county full of data, and a crawl.

`populate(county)` fills the test county with what makes each page show something (cases in every
state with photos and events, supervision reports with messages and evidence, policies with
attachments and interpretations, leaders, rules, templates, notifications). The crawl starts at each
visitor's home and follows the links the pages themselves show, so a page added later is checked as
soon as a link leads to it; `unvisited_pages()` names the URL patterns no link reached.
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from dangjian.accounts.models import Role
from dangjian.core.uploads import process_photo
from dangjian.feedback import actions as feedback
from dangjian.feedback import configuration
from dangjian.policies import actions as policies
from dangjian.supervision import actions as supervision
from dangjian.supervision import audit as audit_trail

from . import factories as f

# Pages no link needs to reach: files rather than pages, Django's own admin, and steps that only answer POST.
NOT_PAGES = {
    "admin",  # namespace: Django's admin site is not ours to validate
    "feedback:photo",
    "orgs:leader_photo",
    "console:feedback_export",
    "policies:attachment",
    "console:supervision_evidence",
    "accounts:logout",
    "healthz",
    "favicon",  # a redirect to the static icon
    "text_size",  # a redirect that sets the text-size cookie
}
# Links not to follow: they change state on GET by design (signing out) or leave the site's pages.
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout/", "/prefs/", "/healthz/", "/favicon.ico")
# How many different URLs of one pattern a visitor opens (three cases, not every case in the inbox).
PER_PATTERN = 3


def _jpeg(name: str = "photo.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _pdf(name: str = "实施细则.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


@dataclass
class Site:
    county: object
    officers: list = field(default_factory=list)
    head: object = None
    case_number: str = ""
    case_password: str = ""
    receipt: str = ""

    def staff(self) -> list:
        c = self.county
        return [c.county_admin, c.town_a_admin, c.town_a_media, c.village_a1_secretary, self.head]


def populate(county) -> Site:
    """Fill the test county; returns who signs in where and the citizen's and reporter's codes."""
    c = county
    site = Site(county=c)
    site.head = f.staff("a_head", Role.SECRETARY, c.town_a, full_name="钱书记")

    # Leadership and policies.
    term = f.TermFactory(organization=c.village_a1)
    f.LeaderFactory(term=term, name="赵新民", post="党支部书记")
    f.LeaderFactory(term=term, name="孙丽", post="党支部副书记", sort_order=1)
    policy = f.PolicyFactory(issuer=c.county, title="关于城乡居民基本养老保险缴费标准的通知")
    policies.add_attachment(c.county_admin, c.county.pk, policy.pk, _pdf())
    policies.save_interpretation(
        c.county_admin,
        c.county.pk,
        policy.pk,
        policies.InterpretationInput(
            title="一图读懂养老保险缴费",
            source="县人社局",
            published_on=timezone.localdate(),
            body="缴费档次分为十二档。",
        ),
    )
    f.PolicyFactory(issuer=c.town_a, title="东城镇人居环境整治方案（草稿）", is_published=False)
    f.PolicyFactory(
        issuer=c.town_a,
        title="东城镇2020年防汛工作方案",
        issued_on=timezone.localdate() - datetime.timedelta(days=2000),
        expires_on=timezone.localdate() - datetime.timedelta(days=900),
    )

    # Feedback: cases in every state, with photos, notes, an extension, a rating and a merge.
    configuration.add_dispatch_rule(
        c.county_admin,
        c.town_a.pk,
        configuration.DispatchRuleInput(place_id=c.village_a1.pk, lead_id=c.town_a.pk, category="complaint"),
    )
    configuration.add_reply_template(
        c.village_a1_secretary,
        c.village_a1.pk,
        configuration.ReplyTemplateInput(title="已修复", text="您反映的问题已修复，感谢监督。"),
    )
    configuration.set_answers_need_approval(c.county_admin, c.town_a.pk, False)
    configuration.save_calendar_day(
        c.county_admin, configuration.CalendarDayInput(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")
    )
    admin, secretary = c.town_a_admin, c.village_a1_secretary

    def new_case(title, **kwargs):
        case, password, _created = feedback.submit_case(
            place_id=c.village_a1.pk,
            category=kwargs.pop("category", "help"),
            title=title,
            description=f"{title}。我叫张三丰，电话13812345678。",
            client_token=uuid.uuid4(),
            contact_phone="13812345678",
            **kwargs,
        )
        return case, password

    new_case("村口路灯坏了", photos=[process_photo(_jpeg())], is_public=True)
    accepted, _ = new_case("垃圾清运不及时", category="complaint", is_public=True)
    feedback.accept_case(admin, accepted.pk, urgent=True)
    dispatched, _ = new_case("水渠堵塞", is_public=True)
    feedback.accept_case(admin, dispatched.pk)
    feedback.dispatch_case(admin, dispatched.pk, c.village_a1.pk, note="请三个工作日内疏通")
    working, _ = new_case("道路坑洼", is_public=True)
    feedback.accept_case(admin, working.pk)
    feedback.dispatch_case(admin, working.pk, c.village_a1.pk)
    feedback.start_case(secretary, working.pk)
    feedback.add_note(secretary, working.pk, "已联系施工队")
    feedback.request_extension(secretary, working.pk, 3, "需要等待材料")
    closed, password = new_case("自来水水压低", is_public=True)
    feedback.accept_case(admin, closed.pk)
    feedback.dispatch_case(admin, closed.pk, c.village_a1.pk)
    feedback.start_case(secretary, closed.pk)
    feedback.answer_case(secretary, closed.pk, "已更换加压泵，张三丰反映的问题已解决。")
    feedback.rate_case(closed.pk, "satisfied", "修得很快")
    rejected, _ = new_case("邻居家狗叫")
    feedback.reject_case(admin, rejected.pk, "不属于受理范围，请联系派出所。")
    duplicate, _ = new_case("垃圾清运不及时（再次反映）", category="complaint")
    feedback.merge_case(admin, duplicate.pk, accepted.pk)
    answered, answered_password = new_case("低保申请进度", category="consult", is_public=True)
    feedback.accept_case(admin, answered.pk)
    feedback.dispatch_case(admin, answered.pk, c.village_a1.pk)
    feedback.start_case(secretary, answered.pk)
    feedback.answer_case(secretary, answered.pk, "您的申请已报镇民政办审核。")
    site.case_number, site.case_password = answered.number, answered_password

    # Supervision: officers with keys and a confirmed authenticator, reports with messages and evidence.
    # The supervision tests' officers (their keys made as those tests make them), each with an authenticator.
    from dangjian.supervision.tests.conftest import Officers

    officers = Officers(c)
    officer, private = officers.a_officer, officers.private(officers.a_officer)
    for user in (officer, officers.county_officer):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    site.officers = [officer, officers.county_officer]
    report_data = {
        "reported_org": c.village_a1,
        "person": "王大海",
        "post": "村委会主任",
        "discipline": "integrity",
        "subcategory": "收受礼品礼金",
        "what": "王大海在办理低保时收受村民张某现金两千元。",
        "when": "2026年10月",
        "where": "村委会办公室",
    }
    supervision.submit_report(
        **report_data,
        evidence=[supervision.prepare_evidence(_pdf("账本.pdf")), supervision.prepare_evidence(_jpeg("现场.jpg"))],
    )
    report, receipt = supervision.submit_report(
        **{**report_data, "person": "李小二", "post": "村会计"},
        real_name=True,
        reporter_name="张三",
        reporter_phone="13812345678",
    )
    opened = supervision.open_as_officer(officer, private, report.pk)
    supervision.transition(officer, opened, "accept")
    supervision.officer_message(officer, supervision.open_as_officer(officer, private, report.pk), "请补充时间地点。")
    supervision.reporter_message(receipt, "时间是十月三日下午。")
    site.receipt = receipt
    audit_trail.check_audit_chain()

    # Meetings compliance: a member on the roll makes 王庄村 a branch (its grid row, its own page, the to-do's list).
    from dangjian.tests_support.factories import member

    member(c.village_a1, name="王秀英")
    return site


# --- The crawl --------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """The site's own page links in `html` (path and query, no fragment), in page order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urlsplit(urljoin(base, href))
        if url.scheme not in ("http", "https", "") or (url.netloc and url.netloc != urlsplit(base).netloc):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not path.startswith(SKIP_PREFIXES) and page_name(url.path) not in NOT_PAGES:
            found.append(path)
    return found


def page_name(path: str) -> str | None:
    """`namespace:name` of the URL pattern serving `path` (None when nothing does)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if match.namespaces and match.namespaces[0] == "admin":
        return "admin"
    return match.view_name


class Crawl:
    """Breadth-first over links, opening at most PER_PATTERN URLs of each pattern per visitor."""

    def __init__(self, seeds: list[str], within: tuple[str, ...] = ("/",), per_pattern: int = PER_PATTERN):
        self.within = within
        self.per_pattern = per_pattern
        self.queue = list(seeds)
        self.seen: set[str] = set(seeds)
        self.per_name: dict[str | None, int] = {}

    def __iter__(self):
        while self.queue:
            path = self.queue.pop(0)
            name = page_name(path)
            if self.per_name.get(name, 0) >= self.per_pattern:
                continue
            self.per_name[name] = self.per_name.get(name, 0) + 1
            yield path

    def add(self, found: list[str]) -> None:
        for path in found:
            if path not in self.seen and path.startswith(self.within):
                self.seen.add(path)
                self.queue.append(path)


def _post_only(view) -> bool:
    """A view wrapped by `require_POST` (its closure holds the allowed methods ["POST"])."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                if cell.cell_contents == ["POST"]:
                    return True
            except ValueError:
                continue
        view = getattr(view, "__wrapped__", None)
    return False


def all_pages() -> set[str]:
    """Every `namespace:name` in the URL conf that a GET can show, less NOT_PAGES."""
    names = set()

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name and not _post_only(entry.callback):
                names.add(prefix + entry.name)

    walk(get_resolver().url_patterns, "")
    return names - NOT_PAGES
