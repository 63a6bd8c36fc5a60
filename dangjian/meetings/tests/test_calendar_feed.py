"""A member's personal calendar feed: a secret address shown once, only its hash stored, revocable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dangjian.meetings import actions
from dangjian.meetings.models import CalendarFeed, Meeting
from dangjian.tests_support.factories import PASSWORD

from .meeting_people import branch


@pytest.fixture
def b(county):
    return branch(county)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def feed_path(page: str) -> str:
    url = re.search(r'<p class="code feed-url">([^<]+)</p>', page).group(1)
    return url.split("testserver", 1)[1]


def test_a_member_makes_a_feed_and_a_calendar_reads_their_meetings(b):
    mine = b.plan(topic="学习党章")
    cancelled = b.plan(topic="主题党日活动", when=timezone.now() + datetime.timedelta(days=5))
    actions.cancel_meeting(b.secretary, cancelled.pk, "下雨")
    b.plan(topic="委员们的会", audience=Meeting.Audience.COMMITTEE)
    actions.answer_meeting(b.host.user, mine.pk, "leave", "身体不适需要住院")
    client = client_for(b.plain.user)
    page = client.post(reverse("console:my_calendar"), {"do": "create"}).content.decode()
    path = feed_path(page)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.objects.get(member=b.plain)
    assert stored.token_hash == actions.feed_hash(token) and token not in stored.token_hash
    response = Client().get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    assert events == {"支部委员会：学习党章": "CONFIRMED", "支部委员会：主题党日活动": "CANCELLED"}
    body = response.content.decode()
    for private in ("身体不适", "王建国", "李秀英", "赵老汉", "1370000"):
        assert private not in body
    # The address is shown once: the page of my meetings does not show it again.
    assert token not in client.get(reverse("console:my_meetings")).content.decode()


def test_a_new_feed_revokes_the_old_and_revoking_ends_it(b):
    b.plan()
    client = client_for(b.plain.user)
    first = feed_path(client.post(reverse("console:my_calendar"), {"do": "create"}).content.decode())
    second = feed_path(client.post(reverse("console:my_calendar"), {"do": "create"}).content.decode())
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    client.post(reverse("console:my_calendar"), {"do": "revoke"})
    assert Client().get(second).status_code == 404


def test_a_forged_token_is_404_and_staff_without_a_member_record_cannot_make_a_feed(b):
    assert Client().get(reverse("meetings:calendar_feed", args=["forged-token"])).status_code == 404
    response = client_for(b.county.town_a_media).post(reverse("console:my_calendar"), {"do": "create"})
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


def test_a_member_who_left_the_roll_loses_the_feed(b):
    client = client_for(b.plain.user)
    path = feed_path(client.post(reverse("console:my_calendar"), {"do": "create"}).content.decode())
    b.plain.status = "transferred_out"
    b.plain.save()
    assert Client().get(path).status_code == 404
