"""The exchange's usage metrics kept in the rollups: rooms with messages, messages, residents in rooms (a stock),
questions received and answered (and their rate), through the module's own actions over three months; and what
the watchers add to posting a message."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.analytics import queries, rollups
from dangjian.analytics.models import PendingRollup
from dangjian.analytics.periods import Period
from dangjian.exchange import actions, moderation, questions, residents, room_actions
from dangjian.exchange.room_actions import RoomInput
from dangjian.tests_support import factories as f

from .kept import assert_kept, at

pytestmark = pytest.mark.django_db

KEYS = [
    "exchange.active_rooms",
    "exchange.messages",
    "exchange.residents_in_rooms",
    "exchange.questions_received",
    "exchange.questions_answered",
]


def _post(user, room, body):
    return actions.post_message(user, room.pk, actions.MessageInput(body=body))


def _ask(user, organization, title):
    return questions.ask_question(user, organization.pk, questions.QuestionInput(title=title, nickname="老李"))


def test_exchange_figures_kept_equal_the_records_and_the_counts(county):
    b1_secretary = f.staff("b1_secretary", "secretary", county.village_b1)
    first, second, third = (f.resident(f"1370000000{n}", real_name=f"居民{n}") for n in range(1, 4))
    with time_machine.travel(at(2026, 3, 30)):
        village = room_actions.create_room(
            county.village_a1_secretary,
            county.village_a1.pk,
            RoomInput(kind="village", name="王庄村民交流群", audience="residents"),
        )
        staff_room = room_actions.create_room(
            county.town_a_admin, county.town_a.pk, RoomInput(kind="branch", name="东城镇工作群")
        )
        room_actions.join_room(first, village.pk, "村东老李")
        room_actions.join_room(second, village.pk, "村西老王")
        spam = _post(first, village, "路灯什么时候修？")
        _post(first, village, "谢谢书记")
        _post(county.village_a1_secretary, village, "明天就修")
        _post(county.town_a_admin, staff_room, "周五开会")
        answered = _ask(first, county.village_a1, "今年的低保申请什么时候开始？")
        removed = _ask(second, county.village_a1, "村里的广场舞太吵了怎么办？")
        _ask(second, county.town_a, "镇里什么时候修路？")
    with time_machine.travel(at(2026, 4, 2)):
        room_actions.leave_room(second, village.pk)
        room_actions.join_room(third, village.pk, "村北小张")
        _post(third, village, "大家好")
        moderation.remove_message(county.village_a1_secretary, spam.pk, "重复发言")
        questions.answer_question(county.village_a1_secretary, answered.pk, "四月开始受理。")
        questions.remove_question(county.village_a1_secretary, removed.pk, "与村务无关")
        rollups.refresh_pending()  # what follows must mark its own changes
    with time_machine.travel(at(2026, 5, 10)):
        western = room_actions.create_room(
            b1_secretary, county.village_b1.pk, RoomInput(kind="village", name="石桥村民群", audience="residents")
        )
        room_actions.join_room(second, western.pk, "老王")
        _post(second, western, "石桥村的朋友们好")
        residents.delete_account(first)  # their memberships end, and they are no longer a resident
        days = [datetime.date(2026, 3, 30), datetime.date(2026, 4, 2), datetime.date(2026, 5, 10)]
        organizations = [county.county, county.town_a, county.town_b, county.village_a1, county.village_b1]
        totals = assert_kept(KEYS, organizations, days)

    assert totals[("exchange.active_rooms", "东城镇", "m", "2026-03")] == 2
    assert totals[("exchange.active_rooms", "测试县", "y", "2026")] == 3
    assert totals[("exchange.messages", "王庄村", "m", "2026-03")] == 2  # the removed one aside
    assert totals[("exchange.messages", "测试县", "y", "2026")] == 5
    # Residents on the period's last day: the first resident's account is gone, so their membership no longer counts
    # for any period; the second left on April 2 and is in 石桥村's room since May.
    assert totals[("exchange.residents_in_rooms", "王庄村", "m", "2026-03")] == 1
    assert totals[("exchange.residents_in_rooms", "王庄村", "m", "2026-04")] == 1
    assert totals[("exchange.residents_in_rooms", "测试县", "m", "2026-05")] == 2
    assert totals[("exchange.residents_in_rooms", "西山乡", "m", "2026-04")] == 0
    assert totals[("exchange.questions_received", "东城镇", "m", "2026-03")] == 2  # the removed one aside
    assert totals[("exchange.questions_answered", "东城镇", "m", "2026-04")] == 1
    values = queries.figures([county.town_a.pk], Period.holding("q", datetime.date(2026, 3, 30)))[county.town_a.pk]
    rate = queries.rate_values(values)["exchange.questions_answered_rate"]
    assert (rate.numerator, rate.denominator) == (0, 2)  # answered in the next quarter


def test_posting_a_message_adds_one_query_for_the_rollups(county, django_capture_on_commit_callbacks):
    resident = f.resident("13700000009")
    room = room_actions.create_room(
        county.village_a1_secretary,
        county.village_a1.pk,
        RoomInput(kind="village", name="王庄村民交流群", audience="residents"),
    )
    room_actions.join_room(resident, room.pk, "村东老李")
    PendingRollup.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
        _post(resident, room, "路灯什么时候修？")
    rollup_queries = [q["sql"] for q in captured.captured_queries if "analytics_" in q["sql"]]
    assert len(rollup_queries) == 1  # one INSERT of the marks (both metrics of the room's village)
    assert set(PendingRollup.objects.values_list("organization_id", "metric")) == {
        (county.village_a1.pk, "exchange.active_rooms"),
        (county.village_a1.pk, "exchange.messages"),
    }
