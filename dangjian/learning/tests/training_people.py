"""A township's training for its new-media officers, shared by the training tests."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.learning import training_actions as actions
from dangjian.learning.models import TrainingSession
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def officers(county, n: int = 3) -> list:
    """New-media officers of the township's villages (beside county.town_a_media on the township itself)."""
    villages = [county.village_a1, county.village_a2]
    return [f.staff(f"a_media_{i}", Role.MEDIA_OFFICER, villages[i % 2], full_name=f"干事{i}") for i in range(n)]


def session_input(**overrides) -> actions.SessionInput:
    start = timezone.now() + datetime.timedelta(days=3)
    values = {
        "title": "新媒体稿件写作培训",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "镇政府三楼会议室",
        "trainer": "县融媒体中心 张老师",
        "capacity": 30,
        "invite_role": Role.MEDIA_OFFICER,
    }
    values.update(overrides)
    return actions.SessionInput(**values)


def published(county, **overrides) -> TrainingSession:
    return actions.save_session(county.town_a_admin, county.town_a.pk, session_input(**overrides))


def move(session: TrainingSession, starts_in: datetime.timedelta, hours: float = 2) -> TrainingSession:
    """The clock moved: the session now starts `starts_in` from now (negative: it has started)."""
    start = timezone.now() + starts_in
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=hours)
    )
    session.refresh_from_db()
    return session
