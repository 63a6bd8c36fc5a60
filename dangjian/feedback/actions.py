"""Every write of the feedback module: citizens' submissions and ratings, staff steps, the clock.

Each staff action locks the case row and asks the workflow (`workflow.require`: the user's right to
take the step and the case's state, the rules the case page offers steps by), records a `CaseEvent`
(who, which organization, when), keeps the statistics counters in step and schedules notifications
after commit.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import (
    APPROVE_FEEDBACK,
    HANDLE_FEEDBACK,
    acting_organization,
    has_capability,
)
from dangjian.core.history import ActionError, NotFound, validate
from dangjian.core.masking import mask_personal_data
from dangjian.core.throttle import Throttle
from dangjian.core.uploads import ProcessedPhoto, discard_all_on_failure, prepared_photos
from dangjian.core.workdays import deadline_after
from dangjian.notifications import sms
from dangjian.notifications.api import notify, queue_sms, staff_holding
from dangjian.organizations.models import Organization
from dangjian.organizations.tree import surviving

from . import workflow
from .models import (
    Case,
    CaseEvent,
    CasePhoto,
    Extension,
    FeedbackSettings,
    Rating,
    State,
)
from .notices import (
    APPROVAL,
    ASSIST,
    DISPATCHED,
    EXTENSION_ASKED,
    EXTENSION_DECIDED,
    NEW,
    RATED,
    REDO,
    RETURNED,
    SENT_BACK,
)
from .passwords import check_query_password, hash_query_password, new_number, query_password_for
from .records import bump_stats, insert_case, lock_case, mask_for_others, record_event, save_case

Kind = CaseEvent.Kind

MAX_PHOTOS_PER_CASE = 18
MAX_PHOTOS_PER_SUBMISSION = 6  # what one form sends (feedback.forms.MAX_PHOTOS)
LOOKUP_FAILURE_LIMIT = 10
lookup_throttle = Throttle("feedback-lookup", LOOKUP_FAILURE_LIMIT, 15 * 60)


# --- Helpers -----------------------------------------------------------------------------------


def _photo_storage():
    return CasePhoto._meta.get_field("image").storage


def _begin(user, case_id: int, action: str, expected_version: int | None = None) -> tuple[Case, Organization]:
    """Lock the case for a staff step and ask the workflow (`workflow.require`, the rules the case page
    asks too): 403 unless the user is of the kind the step names, a clear error when the case's state
    (or the step's condition) does not allow it. Returns the case and the organization acted for."""
    case = lock_case(case_id, expected_version)
    return case, workflow.require(user, action, case)


def _lead_of(case: Case) -> Organization:
    """The case's lead organization: a dispatched case has one (the workflow's lead steps refuse others)."""
    if case.lead_org is None:
        raise ActionError(_("The case has not been dispatched yet."))
    return case.lead_org


def _require_place(user, case: Case) -> Organization:
    return acting_organization(user, case.place, HANDLE_FEEDBACK)


# --- Citizens --------------------------------------------------------------------------------


CITIZEN_INPUT = ("category", "title", "description", "contact_phone", "is_public", "sms_consent")


def _photos(uploads: Iterable) -> list[ProcessedPhoto]:
    """The photos checked and rebuilt (core.uploads), whoever calls: a refused file is an ActionError."""
    try:
        return prepared_photos(uploads)
    except ValidationError as error:
        raise ActionError(" ".join(error.messages)) from None


def submit_case(
    *,
    place_id: int,
    category: str,
    title: str,
    description: str,
    contact_phone: str = "",
    is_public: bool = False,
    sms_consent: bool = False,
    photos: Iterable = (),
    client_token: uuid.UUID | None = None,
    origin_label: str = "",
    origin_url: str = "",
) -> tuple[Case, str, bool]:
    """Register a citizen's case at the organization `place_id`. Returns (case, query password, created).

    The same `client_token` submitted again returns the case it created the first time. `sms_consent`
    (a short message when the answer is ready) needs a mobile number and an installation that sends SMS.
    `origin_label` and `origin_url` say where another module raised it from (e.g. "问政 #12" and its console
    page), shown on the staff's case page.
    """
    client_token = client_token or uuid.uuid4()
    password = query_password_for(client_token)
    existing = Case.objects.filter(client_token=client_token).first()
    if existing is not None:
        return existing, password, False
    place = Organization.objects.filter(pk=place_id).first()
    if place is not None and place.is_closed:
        # A form opened before the village was merged still reaches the village it became part of.
        place = surviving(place)
    if place is None:
        raise NotFound
    title, description, contact_phone = title.strip(), description.strip(), contact_phone.strip()
    sms_consent = bool(sms_consent) and sms.is_configured()
    if sms_consent and not sms.is_mobile(contact_phone):
        raise ActionError(_("To be told by SMS, enter your 11-digit mobile number, or untick the SMS choice."))
    # The citizen's input is checked here, whoever calls (the public form, the API).
    validate(
        Case(place=place, category=category, title=title, description=description, contact_phone=contact_phone),
        exclude=[f.name for f in Case._meta.concrete_fields if f.name not in CITIZEN_INPUT],
    )
    photos = list(photos)
    if len(photos) > MAX_PHOTOS_PER_SUBMISSION:
        raise ActionError(_("At most %(n)s photos can be sent.") % {"n": MAX_PHOTOS_PER_SUBMISSION})
    photos = _photos(photos)
    limit = workflow.time_limit(category)
    now = timezone.now()
    # Everything slow (hashing, masking, deadlines) happens before the transaction takes the write lock.
    case = Case(
        place=place,
        category=category,
        title=title,
        description=description,
        title_public=mask_personal_data(title)[:100],
        description_public=mask_personal_data(description),
        contact_phone=contact_phone,
        is_public=is_public,
        sms_consent=sms_consent,
        client_token=client_token,
        origin_label=origin_label[:60],
        origin_url=origin_url[:200],
        password_hash=hash_query_password(password),
        received_at=now,
        accept_deadline=deadline_after(now, limit.accept_days),
        answer_deadline=deadline_after(now, limit.answer_days),
    )
    try:
        with discard_all_on_failure(_photo_storage()) as stored, transaction.atomic():
            for _attempt in range(5):
                case.number = new_number(now)
                try:
                    with transaction.atomic():
                        insert_case(case)
                    break
                except IntegrityError:
                    if Case.objects.filter(client_token=client_token).exists():
                        raise
                    case.pk = None
            else:
                raise ActionError(_("The case could not be registered. Please try again."))
            for content in photos:
                stored.append(CasePhoto.objects.create(case=case, image=content).image.name)
            record_event(case, Kind.SUBMIT, to_state=State.RECEIVED, organization=place, at=now)
            bump_stats(case, received=1)
            notify(
                staff_holding(HANDLE_FEEDBACK, place),
                NEW,
                case,
                organization=place,
                number=case.number,
                place=place.short_name or place.name,
                title=case.title_public,
            )
    except IntegrityError:
        # The same form arrived twice at once; the other request created the case.
        existing = Case.objects.filter(client_token=client_token).first()
        if existing is None:
            raise
        return existing, password, False
    return case, password, True


def find_case(number: str, password: str, client: str = "") -> Case:
    """The case for a tracking number and query password. Wrong tries are counted per guessing client
    (`core.throttle.client_key`, a keyed hash of its address in the cache only), so a guesser is slowed
    down without locking the citizen out of their own case."""
    number = "".join(ch for ch in number if ch.isdigit())[:20]
    if client and lookup_throttle.is_locked(client):
        raise ActionError(_("Too many wrong attempts from this device. Please try again in 15 minutes."))
    case = Case.objects.filter(number=number).select_related("place", "merged_into").first() if number else None
    if case is None or not check_query_password(case, password.strip()):
        if client:
            lookup_throttle.record_failure(client)
        raise ActionError(_("The tracking number or the query password is wrong."))
    return case


def rate_case(case_id: int, rating: str, comment: str = "") -> Case:
    """The citizen rates the answer. 不满意 reopens the case once for redoing (重办)."""
    if rating not in {Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED}:
        raise ActionError(_("Please choose a rating."))
    with transaction.atomic():
        case = lock_case(case_id)
        workflow.check("rate", case.state)
        now = timezone.now()
        before = case.state
        case.rated_at = now
        case.rating_comment = comment
        case.rating_comment_public = mask_for_others(case, comment)
        if rating == Rating.UNSATISFIED and case.redo_count == 0:
            case.redo_count = 1
            case.state = State.IN_PROGRESS
            case.rating = ""
            case.answer_deadline = deadline_after(now, workflow.time_limit(case.category).answer_days)
            case.rating_deadline = None
            case.supervised = False
            record_event(
                case, Kind.RATE, text=Rating(rating).label + (f": {case.rating_comment_public}" if comment else "")
            )
            record_event(case, Kind.REDO, from_state=before, to_state=State.IN_PROGRESS)
            save_case(
                case,
                [
                    "state",
                    "rating",
                    "rating_comment",
                    "rating_comment_public",
                    "rated_at",
                    "redo_count",
                    "answer_deadline",
                    "rating_deadline",
                    "supervised",
                ],
            )
            notify(
                staff_holding(HANDLE_FEEDBACK, case.lead_org),
                REDO,
                case,
                organization=case.lead_org,
                number=case.number,
            )
        else:
            case.rating = rating
            case.state = State.CLOSED
            case.closed_at = now
            record_event(
                case, Kind.RATE, text=Rating(rating).label + (f": {case.rating_comment_public}" if comment else "")
            )
            record_event(case, Kind.CLOSE, from_state=before, to_state=State.CLOSED)
            save_case(case, ["state", "rating", "rating_comment", "rating_comment_public", "rated_at", "closed_at"])
            bump_stats(case, **{rating: 1})
            notify(
                staff_holding(HANDLE_FEEDBACK, case.lead_org),
                RATED,
                case,
                organization=case.lead_org,
                number=case.number,
                rating=str(rating),
            )
    return case


# --- Staff -----------------------------------------------------------------------------------


def _accept(case: Case, org: Organization, user, urgent: bool) -> datetime.datetime:
    """The organization takes the case on (受理): state, times, the urgent deadline, the history line."""
    now = timezone.now()
    case.state = State.ACCEPTED
    case.accepted_at = now
    case.handling_org = org
    case.urgent = urgent
    if urgent:
        limit = workflow.time_limit(case.category)
        case.answer_deadline = min(case.answer_deadline, deadline_after(now, limit.urgent_answer_days))
    record_event(
        case,
        Kind.ACCEPT,
        user,
        org,
        _("Urgent") if urgent else "",
        from_state=State.RECEIVED,
        to_state=State.ACCEPTED,
        at=now,
    )
    return now


def accept_case(user, case_id: int, *, urgent: bool = False, expected_version: int | None = None) -> Case:
    with transaction.atomic():
        case, org = _begin(user, case_id, "accept", expected_version)
        _accept(case, org, user, urgent)
        save_case(case, ["state", "accepted_at", "handling_org", "urgent", "answer_deadline"])
        bump_stats(case, accepted=1)
    return case


def accept_and_handle_case(user, case_id: int, *, urgent: bool = False, expected_version: int | None = None) -> Case:
    """One step for an organization with no units below it (workflow "accept_handle"): it accepts the case and
    handles it itself, so the case is at once in progress with the organization as its lead. The history
    shows both what happened (accepted, handling started); the deadlines are those of accepting."""
    with transaction.atomic():
        case, org = _begin(user, case_id, "accept_handle", expected_version)
        now = _accept(case, org, user, urgent)
        case.state = State.IN_PROGRESS
        case.lead_org = org
        record_event(
            case,
            Kind.START,
            user,
            org,
            _("Handled by the organization itself"),
            from_state=State.ACCEPTED,
            to_state=State.IN_PROGRESS,
            at=now,
        )
        save_case(case, ["state", "accepted_at", "handling_org", "lead_org", "urgent", "answer_deadline"])
        bump_stats(case, accepted=1)
    return case


def reject_case(user, case_id: int, reason: str, *, expected_version: int | None = None) -> Case:
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please give the reason; the citizen will read it."))
    with transaction.atomic():
        case, org = _begin(user, case_id, "reject", expected_version)
        case.state = State.REJECTED
        case.reject_reason = reason
        case.handling_org = org
        case.closed_at = timezone.now()
        record_event(
            case,
            Kind.REJECT,
            user,
            org,
            mask_for_others(case, reason),
            from_state=State.RECEIVED,
            to_state=State.REJECTED,
        )
        save_case(case, ["state", "reject_reason", "handling_org", "closed_at"])
        bump_stats(case, rejected=1)
    return case


def dispatch_case(
    user,
    case_id: int,
    lead_id: int,
    assisting_ids: Iterable[int] = (),
    note: str = "",
    *,
    expected_version: int | None = None,
) -> Case:
    """Send the case to a lead organization (and organizations that assist) within the dispatcher's subtree.

    Dispatching to one's own organization starts the handling at once.
    """
    wanted = [lead_id, *(i for i in assisting_ids if i != lead_id)]
    with transaction.atomic():
        case, org = _begin(user, case_id, "dispatch", expected_version)
        found = {o.pk: o for o in Organization.objects.open().filter(pk__in=wanted)}
        if len(found) != len(set(wanted)):
            raise NotFound
        lead = found[lead_id]
        assisting = [found[i] for i in dict.fromkeys(wanted[1:])]
        for target in [lead, *assisting]:
            if not target.path.startswith(org.path):
                raise ActionError(
                    _("%(org)s is not below %(own)s; ask the higher organization to dispatch it.")
                    % {"org": target.name, "own": org.name}
                )
        before = case.state
        case.handling_org = org
        case.lead_org = lead
        case.state = State.IN_PROGRESS if lead.pk == org.pk else State.DISPATCHED
        record_event(case, Kind.DISPATCH, user, org, lead.name, from_state=before, to_state=State.DISPATCHED)
        if note.strip():
            record_event(case, Kind.NOTE, user, org, note.strip(), public=False)
        if case.state == State.IN_PROGRESS:
            record_event(case, Kind.START, user, org, from_state=State.DISPATCHED, to_state=State.IN_PROGRESS)
        save_case(case, ["state", "handling_org", "lead_org"])
        case.assisting_orgs.set(assisting)
        if lead.pk != org.pk:
            notify(
                staff_holding(HANDLE_FEEDBACK, lead),
                DISPATCHED,
                case,
                organization=lead,
                number=case.number,
                title=case.title_public,
            )
        for other in assisting:
            notify(
                staff_holding(HANDLE_FEEDBACK, other),
                ASSIST,
                case,
                organization=other,
                number=case.number,
                title=case.title_public,
            )
    return case


def return_case(user, case_id: int, reason: str, *, expected_version: int | None = None) -> Case:
    """The lead sends the dispatch back (退单) with a reason; the dispatcher dispatches again."""
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please give the reason for returning the case."))
    with transaction.atomic():
        case, org = _begin(user, case_id, "return", expected_version)
        before = case.state
        case.state = State.RETURNED
        record_event(case, Kind.RETURN, user, org, reason, public=False, from_state=before, to_state=State.RETURNED)
        save_case(case, ["state"])
        dispatcher = case.handling_org or case.place
        notify(
            staff_holding(HANDLE_FEEDBACK, dispatcher),
            RETURNED,
            case,
            organization=dispatcher,
            number=case.number,
            org=org.name,
            reason=reason[:120],
        )
    return case


def start_case(user, case_id: int, *, expected_version: int | None = None) -> Case:
    with transaction.atomic():
        case, org = _begin(user, case_id, "start", expected_version)
        case.state = State.IN_PROGRESS
        record_event(case, Kind.START, user, org, from_state=State.DISPATCHED, to_state=State.IN_PROGRESS)
        save_case(case, ["state"])
    return case


def _needs_approval(organization: Organization) -> bool:
    return FeedbackSettings.objects.filter(organization=organization, answers_need_approval=True).exists()


def answer_case(user, case_id: int, reply: str, *, expected_version: int | None = None) -> Case:
    reply = reply.strip()
    if not reply:
        raise ActionError(_("The reply is empty."))
    with transaction.atomic():
        case, org = _begin(user, case_id, "answer", expected_version)
        case.reply = reply
        case.replied_by = user
        record_event(case, Kind.ANSWER, user, org, public=False, from_state=State.IN_PROGRESS)
        lead = _lead_of(case)
        if _needs_approval(lead) and not has_capability(user, APPROVE_FEEDBACK, lead):
            case.state = State.PENDING_APPROVAL
            save_case(case, ["state", "reply", "replied_by"])
            notify(
                staff_holding(APPROVE_FEEDBACK, lead),
                APPROVAL,
                case,
                organization=lead,
                number=case.number,
            )
        else:
            _publish(case, user, org, State.IN_PROGRESS)
    return case


def _publish(case: Case, user, org: Organization, before: str) -> None:
    now = timezone.now()
    case.state = State.ANSWERED
    case.answered_at = now
    case.reply_public = mask_for_others(case, case.reply)
    case.rating_deadline = deadline_after(now, workflow.time_limit(case.category).rating_days)
    fields = ["state", "reply", "replied_by", "answered_at", "reply_public", "rating_deadline"]
    if case.first_answered_at is None:
        case.first_answered_at = now
        case.answered_on_time = now <= case.answer_deadline
        fields += ["first_answered_at", "answered_on_time"]
        bump_stats(
            case,
            answered=1,
            answered_on_time=int(case.answered_on_time),
            answer_seconds=int((now - case.received_at).total_seconds()),
        )
        _queue_answer_sms(case)
    record_event(case, Kind.PUBLISH, user, org, from_state=before, to_state=State.ANSWERED)
    save_case(case, fields)


def answer_sms_text(number: str, place_id: int) -> str:
    """The short message telling a citizen the answer is ready: the case number and where to read it (in
    the frame of the case's place), never the answer itself nor the query password."""
    url = settings.SITE_URL + reverse("feedback:track", args=[number]) + f"?org={place_id}"
    with translation.override(settings.LANGUAGE_CODE):
        # Short (one SMS is 70 characters), signed, and naming both ways to look up: the number with the query
        # password, or the mobile with a code (always offered where SMS is sent: mobile_lookup).
        text = _(
            "Case %(number)s has been answered: %(url)s (tracking number and query password, or mobile and code)"
        ) % {"number": number, "url": url}
    return sms.signed(text)


def _queue_answer_sms(case: Case) -> None:
    """On the first answer, one short message to each citizen who asked for it: this case's and those of
    the cases merged into it. Queued in this transaction (sent by the worker after the commit) under a key
    per case, so a later answer (重办), an edit or a retried task never sends it again."""
    citizens = [case, *Case.objects.filter(merged_into=case, sms_consent=True).exclude(contact_phone="")]
    for each in citizens:
        if each.sms_consent and each.contact_phone:
            queue_sms(
                each.contact_phone, answer_sms_text(each.number, each.place_id), key=f"feedback.answered:{each.pk}"
            )


def approve_reply(user, case_id: int, *, expected_version: int | None = None) -> Case:
    with transaction.atomic():
        case, org = _begin(user, case_id, "approve", expected_version)
        record_event(case, Kind.APPROVE, user, org, public=False)
        _publish(case, user, org, State.PENDING_APPROVAL)
    return case


def send_back_reply(user, case_id: int, reason: str, *, expected_version: int | None = None) -> Case:
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please say what should change."))
    with transaction.atomic():
        case, org = _begin(user, case_id, "send_back", expected_version)
        case.state = State.IN_PROGRESS
        record_event(
            case,
            Kind.SEND_BACK,
            user,
            org,
            reason,
            public=False,
            from_state=State.PENDING_APPROVAL,
            to_state=State.IN_PROGRESS,
        )
        save_case(case, ["state"])
        if case.replied_by_id:
            notify([case.replied_by_id], SENT_BACK, case, organization=org, number=case.number, reason=reason[:250])
    return case


def add_note(user, case_id: int, text: str) -> CaseEvent:
    text = text.strip()
    if not text:
        raise ActionError(_("The note is empty."))
    with transaction.atomic():
        case = lock_case(case_id)
        org = _org_for_case(user, case)
        return record_event(case, Kind.NOTE, user, org, text, public=False)


def add_staff_photos(user, case_id: int, photos: Iterable) -> list[CasePhoto]:
    """Staff add photos to a case (e.g. of the repair); the citizen sees them when following the case."""
    photos = _photos(photos)
    if not photos:
        raise ActionError(_("Choose at least one photo."))
    with discard_all_on_failure(_photo_storage()) as stored_names, transaction.atomic():
        case = lock_case(case_id)
        org = _org_for_case(user, case)
        if case.photos.count() + len(photos) > MAX_PHOTOS_PER_CASE:
            raise ActionError(_("A case can hold at most %(n)s photos.") % {"n": MAX_PHOTOS_PER_CASE})
        stored = []
        for content in photos:
            stored.append(CasePhoto.objects.create(case=case, image=content, by_staff=True))
            stored_names.append(stored[-1].image.name)
        record_event(case, Kind.NOTE, user, org, _("%(n)s photo(s) added.") % {"n": len(photos)}, public=False)
    return stored


def _org_for_case(user, case: Case) -> Organization:
    """The organization the user acts for on this case (place, lead or assisting), or 403."""
    for target in [case.place, case.lead_org, *case.assisting_orgs.all()]:
        if target is not None and has_capability(user, HANDLE_FEEDBACK, target):
            return acting_organization(user, target, HANDLE_FEEDBACK)
    raise PermissionDenied


def request_extension(user, case_id: int, days: int, reason: str) -> Extension:
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please give the reason for the extension."))
    if not 1 <= days <= 30:
        raise ActionError(_("An extension is 1 to 30 working days."))
    with transaction.atomic():
        case, org = _begin(user, case_id, "extend")  # before the deadline, none waiting (workflow)
        extension = Extension.objects.create(case=case, days=days, reason=reason, requested_by=user)
        record_event(case, Kind.EXTEND_REQUEST, user, org, f"+{days}: {reason}", public=False)
        lead = _lead_of(case)
        approver = lead.parent or lead
        notify(
            staff_holding(HANDLE_FEEDBACK, approver),
            EXTENSION_ASKED,
            case,
            organization=approver,
            org=org.name,
            days=days,
            number=case.number,
        )
    return extension


def decide_extension(user, extension_id: int, approve: bool) -> Extension:
    """The lead's parent organization approves or refuses an extension."""
    with transaction.atomic():
        extension = Extension.objects.select_for_update().select_related("case").get(pk=extension_id)
        case = lock_case(extension.case_id)
        lead = _lead_of(case)
        approver_scope = lead.parent or lead
        if not has_capability(user, HANDLE_FEEDBACK, approver_scope):
            raise PermissionDenied
        org = acting_organization(user, approver_scope, HANDLE_FEEDBACK)
        if extension.decision != Extension.Decision.PENDING:
            raise ActionError(_("This request has already been decided."))
        extension.decision = Extension.Decision.APPROVED if approve else Extension.Decision.REFUSED
        extension.decided_by = user
        extension.decided_at = timezone.now()
        extension.save()
        if approve:
            from dangjian.core.workdays import add_workdays, end_of_day

            case.answer_deadline = end_of_day(add_workdays(timezone.localdate(case.answer_deadline), extension.days))
            if case.answer_deadline > timezone.now():
                case.supervised = False
            save_case(case, ["answer_deadline", "supervised"])
            record_event(case, Kind.EXTEND_APPROVE, user, org, f"+{extension.days}")
        else:
            record_event(case, Kind.EXTEND_REFUSE, user, org, public=False)
        notify(
            staff_holding(HANDLE_FEEDBACK, lead),
            EXTENSION_DECIDED,
            case,
            organization=lead,
            number=case.number,
            decision=str(extension.decision),
        )
    return extension


def merge_case(user, case_id: int, into_id: int) -> Case:
    """Merge a case into another at the same place; the main case then counts everyone who raised it."""
    if case_id == into_id:
        raise ActionError(_("A case cannot be merged with itself."))
    with transaction.atomic():
        first, second = sorted([case_id, into_id])
        locked = {first: lock_case(first), second: lock_case(second)}
        case, target = locked[case_id], locked[into_id]
        org = workflow.require(user, "merge", case)
        _require_place(user, target)
        if target.state in {State.REJECTED, State.MERGED} or target.merged_into_id:
            raise ActionError(_("The other case cannot take merged cases."))
        if target.state not in workflow.OPEN:
            raise ActionError(
                _(
                    "The other case is already answered or closed; a new report merged into it would get no answer. "
                    "Handle this case on its own."
                )
            )
        if target.place_id != case.place_id:
            raise ActionError(_("Only cases at the same place can be merged."))
        before = case.state
        case.state = State.MERGED
        case.merged_into = target
        case.closed_at = timezone.now()
        save_case(case, ["state", "merged_into", "closed_at"])
        Case.objects.filter(merged_into=case).update(merged_into=target)
        target.supporters += case.supporters
        save_case(target, ["supporters"])
        record_event(case, Kind.MERGE, user, org, target.number, from_state=before, to_state=State.MERGED)
        record_event(target, Kind.MERGE, user, org, case.number)
    return target
