"""What the clock runs (see tasks.py): escalation of overdue cases (督办), closing unrated cases,
and forgetting personal data that is no longer needed (notifications are kept by the notifications app)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.permissions import HANDLE_FEEDBACK
from dangjian.notifications.api import notify, staff_holding
from dangjian.organizations.models import Organization

from .mobile_lookup import forget_codes
from .models import Case, CaseEvent, Rating, State, overdue_condition
from .notices import OVERDUE
from .records import bump_stats, lock_case, record_event, save_case

Kind = CaseEvent.Kind


def _responsible(case: Case) -> Organization:
    if case.state == State.RECEIVED:
        return case.place
    return case.lead_org or case.handling_org or case.place


def scan_deadlines(now: datetime.datetime | None = None) -> dict[str, int]:
    """Flag overdue cases for supervision (督办) by the parent organization; close unrated cases."""
    now = now or timezone.now()
    counts = {"supervised": 0, "closed_unrated": 0}
    overdue = Case.objects.filter(overdue_condition(now), supervised=False)
    for case_id in overdue.values_list("pk", flat=True)[:5000]:
        with transaction.atomic():
            case = lock_case(case_id)
            if case.supervised or not case.is_overdue(now):
                continue
            responsible = _responsible(case)
            supervisor = responsible.parent or responsible
            case.supervised = True
            case.supervised_at = now
            case.supervising_org = supervisor
            save_case(case, ["supervised", "supervised_at", "supervising_org"])
            record_event(case, Kind.SUPERVISE, organization=supervisor, text=responsible.name, at=now)
            told = staff_holding(HANDLE_FEEDBACK, supervisor)
            if supervisor.pk != responsible.pk:
                told += staff_holding(HANDLE_FEEDBACK, responsible)
            notify(
                told,  # each person once, also when they hold the role on both
                OVERDUE,
                case,
                organization=supervisor,
                number=case.number,
                org=responsible.name,
                deadline=timezone.localtime(case.deadline_in_force()).strftime("%Y-%m-%d %H:%M"),
            )
            counts["supervised"] += 1
    unrated = Case.objects.filter(state=State.ANSWERED, rating_deadline__lt=now)
    for case_id in unrated.values_list("pk", flat=True)[:5000]:
        with transaction.atomic():
            case = lock_case(case_id)
            if case.state != State.ANSWERED or case.rating_deadline is None or case.rating_deadline >= now:
                continue
            case.state = State.CLOSED
            case.rating = Rating.UNRATED
            case.closed_at = now
            save_case(case, ["state", "rating", "closed_at"])
            record_event(
                case, Kind.CLOSE, text=Rating.UNRATED.label, from_state=State.ANSWERED, to_state=State.CLOSED, at=now
            )
            bump_stats(case, unrated=1)
            counts["closed_unrated"] += 1
    return counts


def forget_personal_data(now: datetime.datetime | None = None) -> dict[str, int]:
    """Keep personal data only as long as it is needed.

    A citizen's contact phone is cleared once the case has been closed for
    FEEDBACK_CONTACT_RETENTION_DAYS (and with it the SMS choice); one-time lookup codes a day after they
    expire.
    """

    now = now or timezone.now()
    contact_cutoff = now - datetime.timedelta(days=settings.FEEDBACK_CONTACT_RETENTION_DAYS)
    cleared = (
        Case.objects.filter(closed_at__lt=contact_cutoff)
        .exclude(contact_phone="")
        .update(contact_phone="", sms_consent=False, updated_at=now)
    )
    return {"contacts_cleared": cleared, "lookup_codes_removed": forget_codes(now)}
