"""Training sessions through their actions: publishing with invitations, registration and the waiting list,
cancelling, reminders once, attendance and the door code."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, EditConflict, InvalidInput
from dangjian.core.models import ChangeRecord
from dangjian.learning import notices, training_actions, training_clock, training_queries
from dangjian.learning.models import Registration, TrainingSession
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f

from .training_people import move, officers, published, session_input

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def test_publishing_invites_the_townships_officers_and_not_the_neighbours(county):
    mine = officers(county, 2)
    neighbour = f.staff("b_media", Role.MEDIA_OFFICER, county.village_b1)
    session = published(county)
    assert training_queries.invitee_ids(session) == {county.town_a_media.pk, *[u.pk for u in mine]}
    for user in [county.town_a_media, *mine]:
        assert kinds_of(user) == [notices.TRAINING_INVITED]
    assert kinds_of(neighbour) == []
    assert kinds_of(county.village_a1_secretary) == []
    record = ChangeRecord.objects.get(object_id=session.pk, content_type__model="trainingsession")
    assert record.action == ChangeRecord.Action.CREATE


def test_members_with_an_account_are_invited_when_asked(county):
    with_account = f.member(county.village_a1, user=f.UserFactory())
    f.member(county.village_a2)  # no account: nobody to tell
    session = published(county, invite_role="", invite_members=True)
    assert training_queries.invitee_ids(session) == {with_account.user.pk}
    assert training_queries.invitee_organization(with_account.user, session) == county.village_a1


def test_another_townships_admin_cannot_create_or_change_a_session(county):
    other = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    with pytest.raises(PermissionDenied):
        training_actions.save_session(other, county.town_a.pk, session_input())
    session = published(county)
    with pytest.raises(PermissionDenied):
        training_actions.save_session(other, county.town_a.pk, session_input(), session_id=session.pk)
    with pytest.raises(PermissionDenied):
        training_actions.cancel_session(other, session.pk, "改期")
    with pytest.raises(PermissionDenied):
        training_actions.save_attendance(other, session.pk, set())
    # A media officer of the township itself may not organize either.
    with pytest.raises(PermissionDenied):
        training_actions.renew_checkin(county.town_a_media, session.pk)


def test_a_session_id_from_another_organization_changes_nothing(county):
    session = published(county)
    b_admin = f.staff("b_admin", Role.ORG_ADMIN, county.town_b)
    with pytest.raises((ActionError, PermissionDenied)):
        training_actions.save_session(b_admin, county.town_b.pk, session_input(title="改了"), session_id=session.pk)
    session.refresh_from_db()
    assert session.title == "新媒体稿件写作培训"


def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(county):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as error:
        published(county, starts_at=start, ends_at=start - datetime.timedelta(hours=1), place="")
    assert {"ends_at", "place"} <= set(error.value.errors)
    with pytest.raises(InvalidInput) as error:
        published(county, invite_role="", invite_members=False)
    assert "invite_role" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        published(county, mode=TrainingSession.Mode.ONLINE, place="", link="")
    assert "link" in error.value.errors
    past = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(InvalidInput):
        published(county, starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    assert not TrainingSession.objects.exists()
    assert not Notification.objects.exists()


def test_an_exam_of_the_neighbouring_township_cannot_be_chosen(county):
    bank = f.question_bank(county.town_b, "西山乡题库", questions=3)
    foreign = f.exam(bank, "西山乡考试", count=2)
    with pytest.raises(InvalidInput) as error:
        published(county, exam_id=foreign.pk)
    assert "exam" in error.value.errors
    county_exam = f.exam(f.question_bank(county.county, "县题库", questions=3), "县考试", count=2)
    assert published(county, exam_id=county_exam.pk).exam == county_exam


def test_editing_with_a_stale_version_is_refused(county):
    session = published(county)
    training_actions.save_session(
        county.town_a_admin,
        county.town_a.pk,
        session_input(title="第一次改"),
        session_id=session.pk,
        expected_version=1,
    )
    with pytest.raises(EditConflict):
        training_actions.save_session(
            county.town_a_admin,
            county.town_a.pk,
            session_input(title="第二次改"),
            session_id=session.pk,
            expected_version=1,
        )
    session.refresh_from_db()
    assert session.title == "第一次改" and session.version == 2


def test_moving_the_session_tells_those_registered(county):
    (officer,) = officers(county, 1)
    session = published(county)
    training_actions.register(officer, session.pk)
    later = session.starts_at + datetime.timedelta(days=1)
    training_actions.save_session(
        county.town_a_admin,
        county.town_a.pk,
        session_input(starts_at=later, ends_at=later + datetime.timedelta(hours=2)),
        session_id=session.pk,
    )
    assert kinds_of(officer) == [notices.TRAINING_INVITED, notices.TRAINING_CHANGED]
    assert kinds_of(county.town_a_media) == [notices.TRAINING_INVITED]


def test_a_full_session_puts_the_next_on_the_waiting_list_and_a_cancel_promotes_the_first(county):
    first, second, third = officers(county, 3)
    session = published(county, capacity=1)
    assert training_actions.register(first, session.pk).state == Registration.State.REGISTERED
    waiting_1 = training_actions.register(second, session.pk)
    waiting_2 = training_actions.register(third, session.pk)
    assert waiting_1.state == waiting_2.state == Registration.State.WAITING
    assert training_actions.position(waiting_1) == 1 and training_actions.position(waiting_2) == 2
    training_actions.cancel_registration(first, session.pk)
    states = dict(Registration.objects.filter(session=session).values_list("user_id", "state"))
    assert states == {
        first.pk: Registration.State.CANCELLED,
        second.pk: Registration.State.REGISTERED,
        third.pk: Registration.State.WAITING,
    }
    assert kinds_of(second)[-1] == notices.TRAINING_PROMOTED
    assert notices.TRAINING_PROMOTED not in kinds_of(third)
    assert training_actions.position(Registration.objects.get(user=third)) == 1
    # Registering again after withdrawing: the end of the waiting list, not the old place.
    assert training_actions.register(first, session.pk).state == Registration.State.WAITING


def test_raising_the_places_promotes_from_the_waiting_list(county):
    first, second = officers(county, 2)
    session = published(county, capacity=1)
    training_actions.register(first, session.pk)
    training_actions.register(second, session.pk)
    training_actions.save_session(
        county.town_a_admin, county.town_a.pk, session_input(capacity=2), session_id=session.pk
    )
    assert Registration.objects.get(user=second).state == Registration.State.REGISTERED


def test_registering_twice_keeps_one_registration(county):
    (officer,) = officers(county, 1)
    session = published(county)
    training_actions.register(officer, session.pk)
    training_actions.register(officer, session.pk)
    assert Registration.objects.filter(session=session).count() == 1


def test_a_non_invitee_cannot_register(county):
    session = published(county)
    for outsider in (county.village_a1_secretary, f.staff("b_media", Role.MEDIA_OFFICER, county.village_b1)):
        with pytest.raises(PermissionDenied):
            training_actions.register(outsider, session.pk)
    assert not Registration.objects.exists()


def test_no_registration_after_the_start_nor_for_a_cancelled_session(county):
    first, second = officers(county, 2)
    session = published(county)
    training_actions.register(first, session.pk)
    move(session, -datetime.timedelta(minutes=5))
    with pytest.raises(ActionError, match="已开始|started"):
        training_actions.register(second, session.pk)
    with pytest.raises(ActionError):
        training_actions.cancel_registration(first, session.pk)
    other = published(county)
    training_actions.cancel_session(county.town_a_admin, other.pk, "与县里会议冲突")
    with pytest.raises(ActionError):
        training_actions.register(second, other.pk)
    assert Registration.objects.filter(user=second).count() == 0


def test_cancelling_tells_the_registered_and_waiting_with_the_reason(county):
    first, second, third = officers(county, 3)
    session = published(county, capacity=1)
    training_actions.register(first, session.pk)
    training_actions.register(second, session.pk)
    training_actions.cancel_session(county.town_a_admin, session.pk, "与县里会议冲突")
    session.refresh_from_db()
    assert session.state == TrainingSession.State.CANCELLED and session.cancel_reason == "与县里会议冲突"
    for user in (first, second):
        note = Notification.objects.filter(user=user).latest("pk")
        assert note.kind == notices.TRAINING_CANCELLED and note.params["reason"] == "与县里会议冲突"
    assert kinds_of(third) == [notices.TRAINING_INVITED]
    with pytest.raises(InvalidInput):
        training_actions.cancel_session(county.town_a_admin, published(county).pk, "  ")


def test_reminders_go_once_a_day_before_to_the_registered_only(county):
    first, second = officers(county, 2)
    session = published(county, capacity=1)
    training_actions.register(first, session.pk)
    training_actions.register(second, session.pk)  # waiting
    assert training_clock.remind_sessions()["reminded"] == 0  # three days ahead
    move(session, datetime.timedelta(hours=20))
    assert training_clock.remind_sessions()["reminded"] == 1
    assert training_clock.remind_sessions()["reminded"] == 0
    assert kinds_of(first).count(notices.TRAINING_REMINDER) == 1
    assert notices.TRAINING_REMINDER not in kinds_of(second)
    session.refresh_from_db()
    assert session.reminded_at is not None


def test_the_clock_records_ended_sessions_as_held_and_the_metrics_count_them(county):
    (officer,) = officers(county, 1)
    session = published(county)
    training_actions.register(officer, session.pk)
    move(session, datetime.timedelta(minutes=10))
    training_actions.check_in(officer, session.pk, session.checkin_token)
    move(session, -datetime.timedelta(hours=3))
    assert training_clock.remind_sessions()["held"] == 1
    session.refresh_from_db()
    assert session.state == TrainingSession.State.HELD
    from dangjian.learning.training_entries import training_attended, training_sessions_held

    today = timezone.localdate()
    period = (today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))
    assert training_attended(county.county, *period) == 1
    assert training_attended(county.village_a1, *period) + training_attended(county.village_a2, *period) == 1
    assert training_attended(county.town_b, *period) == 0
    assert training_sessions_held(county.town_a, *period) == 1
    assert training_sessions_held(county.town_b, *period) == 0


def test_the_door_code_checks_in_an_invitee_only_in_its_window(county):
    first, second = officers(county, 2)
    session = published(county)
    training_actions.register(first, session.pk)
    with pytest.raises(ActionError, match="30"):
        training_actions.check_in(first, session.pk, session.checkin_token)
    move(session, datetime.timedelta(minutes=20))
    registration = training_actions.check_in(first, session.pk, session.checkin_token)
    assert registration.attended and registration.attended_at is not None
    # An invitee who did not register is added as attended.
    walk_in = training_actions.check_in(second, session.pk, session.checkin_token)
    assert walk_in.state == Registration.State.REGISTERED and walk_in.attended
    with pytest.raises(ActionError):
        training_actions.check_in(county.village_a1_secretary, session.pk, session.checkin_token)
    move(session, -datetime.timedelta(hours=3))
    with pytest.raises(ActionError):
        training_actions.check_in(first, session.pk, session.checkin_token)


def test_a_forged_or_renewed_code_is_refused(county):
    (officer,) = officers(county, 1)
    session = move(published(county), datetime.timedelta(minutes=10))
    with pytest.raises(ActionError, match="无效|not valid"):
        training_actions.check_in(officer, session.pk, "forged-token")
    old = session.checkin_token
    training_actions.renew_checkin(county.town_a_admin, session.pk)
    with pytest.raises(ActionError):
        training_actions.check_in(officer, session.pk, old)
    session.refresh_from_db()
    assert training_actions.check_in(officer, session.pk, session.checkin_token).attended
    assert not Registration.objects.filter(attended=True).exclude(user=officer).exists()


def test_the_organizer_ticks_attendance_and_adds_a_walk_in(county):
    first, second, third = officers(county, 3)
    session = published(county)
    r1 = training_actions.register(first, session.pk)
    r2 = training_actions.register(second, session.pk)
    with pytest.raises(ActionError):
        training_actions.save_attendance(county.town_a_admin, session.pk, {r1.pk})
    move(session, -datetime.timedelta(minutes=30))
    stranger = f.staff("b_media", Role.MEDIA_OFFICER, county.village_b1)
    count = training_actions.save_attendance(county.town_a_admin, session.pk, {r1.pk}, {third.pk, stranger.pk})
    assert count == 2
    attended = set(Registration.objects.filter(session=session, attended=True).values_list("user_id", flat=True))
    assert attended == {first.pk, third.pk}
    r2.refresh_from_db()
    assert not r2.attended
    assert Registration.objects.get(user=third).checked_in_by == county.town_a_admin


def test_trainings_for_lists_the_invited_and_attended_sessions(county):
    (officer,) = officers(county, 1)
    upcoming = published(county)
    past = published(county, title="上月的培训")
    training_actions.register(officer, past.pk)
    move(past, datetime.timedelta(minutes=10))
    training_actions.check_in(officer, past.pk, past.checkin_token)
    move(past, -datetime.timedelta(days=20))
    training_actions.cancel_session(county.town_a_admin, published(county, title="取消的").pk, "改期")
    shown = training_queries.trainings_for(officer)
    assert [s.title for s in shown] == [upcoming.title, "上月的培训"]
    assert shown[0].mine is None and shown[1].mine.attended
    assert training_queries.trainings_for(county.village_a1_secretary) == []


@pytest.mark.django_db(transaction=True)
def test_two_people_asking_for_the_last_place_at_once_one_gets_it_the_other_waits(county):
    first, second = officers(county, 2)
    session = published(county, capacity=1)
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def ask(user) -> None:
        try:
            barrier.wait()
            results[user.pk] = training_actions.register(user, session.pk).state
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results.values()) == [Registration.State.REGISTERED, Registration.State.WAITING]
    assert Registration.objects.filter(session=session, state=Registration.State.REGISTERED).count() == 1
