"""The demo county's training: a township's session for its new-media officers held last month with attendance,
and a coming one with a waiting list."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.learning import training_queries
from dangjian.learning.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_township_trained_its_officers_and_has_a_waiting_list():
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=io.StringIO())
    town_media = User.objects.get(mobile="13800000002")
    held = TrainingSession.objects.get(state=TrainingSession.State.HELD)
    upcoming = TrainingSession.objects.get(state=TrainingSession.State.PLANNED)
    assert held.ends_at < timezone.now() < upcoming.starts_at
    assert held.organization == upcoming.organization
    assert held.registrations.get(user=town_media).attended
    assert held.registrations.filter(attended=False).count() == 1
    assert upcoming.registrations.filter(state=Registration.State.WAITING).count() == 2
    assert upcoming.registrations.filter(state=Registration.State.REGISTERED).count() == upcoming.capacity
    assert upcoming.registrations.get(user=town_media).state == Registration.State.REGISTERED
    assert [s.pk for s in training_queries.trainings_for(town_media)] == [upcoming.pk, held.pk]
    assert User.objects.get(username="town_admin").has_usable_password()
