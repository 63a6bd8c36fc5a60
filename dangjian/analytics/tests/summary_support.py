"""Data for the summary pages' tests, made through the modules' own actions, and a reader of the page's HTML."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import time_machine

from dangjian.accounts.models import Role
from dangjian.analytics import rollups
from dangjian.exchange import actions as exchange
from dangjian.exchange import room_actions
from dangjian.exchange.room_actions import RoomInput
from dangjian.feedback import actions as feedback
from dangjian.tests_support import factories as f

from .kept import at

PERIOD = "2026-03"


def _case(place, title):
    case, _password, created = feedback.submit_case(
        place_id=place.pk,
        category="help",
        title=title,
        description=f"{title}，请尽快处理。",
        client_token=uuid.uuid4(),
    )
    assert created
    return case


def _post(user, room, body):
    return exchange.post_message(user, room.pk, exchange.MessageInput(body=body))


def fill(county) -> dict:
    """March 2026: feedback cases in three villages, messages in rooms of 王庄村, 东城镇 and 石桥村, residents
    joining a village room; one case in February. Then the rollups are refreshed. Returns the people made."""
    b1_secretary = f.staff("b1_secretary", Role.SECRETARY, county.village_b1)
    first, second = f.resident("13700000001", real_name="居民一"), f.resident("13700000002", real_name="居民二")
    with time_machine.travel(at(2026, 2, 20)):
        _case(county.village_a1, "二月的路灯问题")
    with time_machine.travel(at(2026, 3, 10)):
        _case(county.village_a1, "村口路灯坏了")
        _case(county.village_a1, "垃圾没人清运")
        _case(county.village_a2, "李湾村道路积水")
        _case(county.village_b1, "石桥村桥面破损")
        village = room_actions.create_room(
            county.village_a1_secretary,
            county.village_a1.pk,
            RoomInput(kind="village", name="王庄村民交流群", audience="residents"),
        )
        staff_room = room_actions.create_room(
            county.town_a_admin, county.town_a.pk, RoomInput(kind="branch", name="东城镇工作群")
        )
        western = room_actions.create_room(
            b1_secretary, county.village_b1.pk, RoomInput(kind="branch", name="石桥村支部群")
        )
        room_actions.join_room(first, village.pk, "村东老李")
        room_actions.join_room(second, village.pk, "村西老王")
        _post(first, village, "路灯什么时候修？")
        _post(second, village, "谢谢书记")
        _post(county.village_a1_secretary, village, "明天就修")
        _post(county.town_a_admin, staff_room, "周五开会")
        _post(b1_secretary, western, "本周学习安排")
    rollups.refresh_pending()
    return {"b1_secretary": b1_secretary, "residents": (first, second)}


class _Reader(HTMLParser):
    """The text of each element carrying a data-testid (nested ones included in their parent's text)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {}
        self.hrefs: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        testid = attributes.get("data-testid")
        if testid:
            self.texts.setdefault(testid, [])
            self.hrefs.setdefault(testid, [])
        for _tag, open_id in self.open:
            if open_id and tag == "a" and attributes.get("href"):
                self.hrefs[open_id].append(attributes["href"] or "")
        if testid and tag == "a" and attributes.get("href"):
            self.hrefs[testid].append(attributes["href"] or "")
        if tag not in self.VOID:
            self.open.append((tag, testid))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for _tag, testid in self.open:
            if testid:
                self.texts[testid].append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def text(html: str, testid: str) -> str:
    found = read(html).texts.get(testid)
    assert found is not None, f"no data-testid={testid!r} on the page"
    return " ".join("".join(found).split())


def links(html: str, testid: str) -> list[str]:
    found = read(html).hrefs.get(testid)
    assert found is not None, f"no data-testid={testid!r} on the page"
    return found
