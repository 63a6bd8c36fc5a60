"""The writes of questions to the organization (问政): asking (on a portal, or from a room), the moderator's review of a
held question, the official answer and its edits, removal, and turning a question into a feedback case.

- Anyone signed in as a verified resident (`Resident`), a party member on the roll or staff may ask an organization
  (`may_ask`). The asker's words are screened for sensitive words (screening.py): a blocked word refuses the
  question, a flagged one holds it (`HELD`) until a moderator (MODERATE_ROOMS on its organization) approves or
  rejects it (`approve_question` / `reject_question`, called by the moderation area). Public pages show
  `title_public`/`body_public`, the asker's words with mobile numbers, ID-card numbers and names masked, and the
  nickname the asker chose (never the real name).
- The form's client token is the question's `client_token`: the same form sent twice stores one question.
- Staff holding ANSWER_QUESTIONS on the question's organization (or above) answer it officially (`answer_question`:
  optimistic locking with `version`, history through `save_tracked`), edit the answer, remove a question with a
  reason (`remove_question`), or turn it into a feedback case (`to_case`): `feedback.actions.submit_case` with a
  client token derived from the question's, so a retry makes one case; the case keeps the link back
  (`Case.origin_label`/`origin_url`) and the question shows the case's public state.
- The asker is told (notify) when the question is answered, turned into a case, or removed.
- `search_tokens` holds the words of the public title, body and answer (core/text.py) between spaces; the portal
  search requires every word of the query (`search`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import (
    ANSWER_QUESTIONS,
    MODERATE_ROOMS,
    acting_organization,
    can_use_console,
    has_capability,
    scope_paths,
)
from dangjian.core import fieldcrypt
from dangjian.core import text as words_of
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, InvalidInput, NotFound, save_tracked
from dangjian.core.masking import mask_personal_data
from dangjian.feedback import actions as feedback_actions
from dangjian.feedback.models import Category
from dangjian.members.queries import member_for_user
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import access, limits, notices, screening
from .actions import clean_text
from .models import Membership, Message, ModerationEntry, PublicQuestion, Resident, Room

TITLE_MIN = 5
TITLE_MAX = 100
BODY_MAX = 2000
NICKNAME_MAX = 20
ANSWER_MAX = 5000
REASON_MAX = 200

# States shown on the portal.
PUBLIC_STATES = (PublicQuestion.State.OPEN, PublicQuestion.State.ANSWERED, PublicQuestion.State.CASE)

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12


@dataclass(frozen=True)
class QuestionInput:
    title: str = ""
    body: str = ""
    nickname: str = ""
    client_token: uuid.UUID | None = None
    room_id: int | None = None
    message_id: int | None = None


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_ask(user) -> bool:
    """A verified resident, a party member on the roll, or staff."""
    if not _signed_in(user):
        return False
    return access.is_resident(user) or member_for_user(user) is not None or can_use_console(user)


def default_nickname(user, room: Room | None = None) -> str:
    """The nickname the person goes by in the room (or in their latest room), else nothing (they choose one)."""
    if not _signed_in(user):
        return ""
    memberships = Membership.objects.filter(user=user, left_at=None, removed_at=None)
    if room is not None:
        own = memberships.filter(room=room).first()
        if own is not None:
            return own.nickname
    latest = memberships.order_by("-joined_at", "-pk").first()
    return latest.nickname if latest is not None else ""


def _real_names(user) -> set[str]:
    names = {user.get_full_name().strip()}
    member = member_for_user(user)
    if member is not None:
        names.add(member.name.strip())
    resident = Resident.objects.filter(user=user).first()
    if resident is not None and resident.real_name:
        names.add(fieldcrypt.decrypt(resident.real_name).strip())
    return {name for name in names if name}


def tokens(*texts: str) -> str:
    """The words of the texts between spaces (so that a word is matched whole: `" 低保 "`)."""
    found = words_of.words("\n".join(texts), search_mode=True)
    return f" {' '.join(dict.fromkeys(found))} " if found else ""


def _index(question: PublicQuestion) -> None:
    question.search_tokens = tokens(question.title_public, question.body_public, question.answer)


def search(queryset, raw: str):
    """The questions of `queryset` holding every word of the query (all of them for an empty query)."""
    text = (raw or "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return queryset
    found = list(dict.fromkeys(words_of.words(text, search_mode=False)))[:MAX_QUERY_WORDS]
    # A single Chinese character inside a longer query is almost always a particle (的, 和); it need not match.
    terms = [w for w in found if not (len(w) == 1 and words_of.HAN_RE.match(w))] or found
    if not terms:
        return queryset.none()
    if len(terms) == 1 and len(terms[0]) == 1:
        term = terms[0]
        return queryset.filter(
            Q(title_public__contains=term) | Q(body_public__contains=term) | Q(answer__contains=term)
        )
    for term in terms:
        queryset = queryset.filter(search_tokens__contains=f" {term} ")
    return queryset


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]}, message)


def _check_input(user, data: QuestionInput) -> tuple[str, str, str]:
    title, body, nickname = clean_text(data.title), clean_text(data.body), clean_text(data.nickname)
    title = " ".join(title.split())
    errors: dict[str, list[str]] = {}
    if len(title) < TITLE_MIN:
        errors["title"] = [_("Write your question in at least %(n)s characters.") % {"n": TITLE_MIN}]
    elif len(title) > TITLE_MAX:
        errors["title"] = [
            _("The question may have at most %(n)s characters (this one has %(m)s); put the rest in the details.")
            % {"n": TITLE_MAX, "m": len(title)}
        ]
    if len(body) > BODY_MAX:
        errors["body"] = [
            _("The details may have at most %(n)s characters (these have %(m)s).") % {"n": BODY_MAX, "m": len(body)}
        ]
    if not nickname:
        errors["nickname"] = [_("Choose the name shown with your question (not your real name).")]
    elif len(nickname) > NICKNAME_MAX:
        errors["nickname"] = [_("The name shown may have at most %(n)s characters.") % {"n": NICKNAME_MAX}]
    elif re.search(r"\d{5,}", nickname):
        errors["nickname"] = [_("The name shown may not hold a phone or ID number: the question is public.")]
    elif nickname in _real_names(user):
        errors["nickname"] = [_("Please choose a nickname rather than your real name: the question is public.")]
    if errors:
        raise InvalidInput(errors, " ".join(m for messages in errors.values() for m in messages))
    return title, body, nickname


def ask_question(user, organization_id: int, data: QuestionInput, *, limited: bool = True) -> PublicQuestion:
    """Store a question asked of the organization. The same client token sent again returns the question stored
    the first time. Raises InvalidInput (by field) for input that cannot be taken, limits.TooFast past the hourly
    limit (`limited=False` only for the demo, which asks several questions at once)."""
    if not may_ask(user):
        raise PermissionDenied
    if data.client_token is not None:
        earlier = PublicQuestion.objects.filter(client_token=data.client_token).first()
        if earlier is not None:
            if earlier.asker_id != user.pk:
                raise ActionError(_("This form was already used. Please open the question form again."))
            return earlier
    organization = Organization.objects.filter(pk=organization_id, closed_at=None).first()
    if organization is None:
        raise NotFound
    room, message = _room_and_message(user, organization, data)
    if room is not None:
        organization = room.organization
    title, body, nickname = _check_input(user, data)
    flagged: list[str] = []
    for field, text in (("title", title), ("body", body), ("nickname", nickname)):
        flagged += screening.screen(text, field_name=field).flagged
    if limited:
        limits.check_question(user)  # EXCHANGE_QUESTIONS_PER_HOUR, fewer for a new account
    question = PublicQuestion(
        organization=organization,
        room=room,
        message=message,
        asker=user,
        nickname=nickname,
        title=title,
        body=body,
        title_public=mask_personal_data(title)[:TITLE_MAX],
        body_public=mask_personal_data(body),
        state=PublicQuestion.State.HELD if flagged else PublicQuestion.State.OPEN,
        flagged_words=sorted(set(flagged)),
        client_token=data.client_token or uuid.uuid4(),
    )
    _index(question)
    try:
        with transaction.atomic():
            save_tracked(user, question, organization)
    except IntegrityError:
        # The same form arrived twice at once; the other request stored the question.
        earlier = PublicQuestion.objects.filter(client_token=question.client_token, asker=user).first()
        if earlier is None:
            raise
        return earlier
    return question


def _room_and_message(user, organization: Organization, data: QuestionInput) -> tuple[Room | None, Message | None]:
    """The room (one the person reads, of the organization's subtree) and their own message in it, if given."""
    if not data.room_id:
        return None, None
    room = Room.objects.select_related("organization").filter(pk=data.room_id).first()
    if room is None or not access.may_read(user, room) or not room.organization.path.startswith(organization.path):
        raise _refuse("room", _("This room is not one you can ask from."))
    message = None
    if data.message_id:
        message = Message.objects.filter(
            pk=data.message_id, room=room, author=user, state=Message.State.PUBLISHED
        ).first()
        if message is None:
            raise _refuse("message", _("Only your own message in this room can be asked as a question."))
    return room, message


# --- The moderator's review of a held question ---------------------------------------------------------------


def _lock(question_id: int) -> PublicQuestion:
    question = PublicQuestion.objects.select_for_update().select_related("organization").filter(pk=question_id).first()
    if question is None:
        raise NotFound
    return question


def held_for(user):
    """The held questions a moderator may review: those of the subtrees where they hold MODERATE_ROOMS (for the
    moderation area's queue), oldest first."""
    if not _signed_in(user):
        return PublicQuestion.objects.none()
    held = PublicQuestion.objects.filter(state=PublicQuestion.State.HELD).select_related("organization")
    if user.is_superuser:
        return held.order_by("created_at", "pk")
    paths = scope_paths(user, MODERATE_ROOMS)
    if not paths:
        return PublicQuestion.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(organization__path__startswith=path)
    return held.filter(condition).order_by("created_at", "pk")


def may_moderate(user, question: PublicQuestion) -> bool:
    return _signed_in(user) and has_capability(user, MODERATE_ROOMS, question.organization)


def approve_question(user, question_id: int) -> PublicQuestion:
    """A moderator lets a held question onto the portal."""
    with transaction.atomic():
        question = _lock(question_id)
        if not may_moderate(user, question):
            raise PermissionDenied
        if question.state != PublicQuestion.State.HELD:
            raise ActionError(_("This question is no longer waiting for review."))
        question.state = PublicQuestion.State.OPEN
        save_tracked(user, question, question.organization)
        _log(user, question, ModerationEntry.Action.APPROVE_QUESTION)
    return question


def reject_question(user, question_id: int, reason: str) -> PublicQuestion:
    """A moderator keeps a held question off the portal, with a reason told to the asker."""
    with transaction.atomic():
        question = _lock(question_id)
        if not may_moderate(user, question):
            raise PermissionDenied
        if question.state != PublicQuestion.State.HELD:
            raise ActionError(_("This question is no longer waiting for review."))
        _remove(user, question, reason)
        _log(user, question, ModerationEntry.Action.REJECT_QUESTION, reason=question.removed_reason)
    return question


def _log(user, question: PublicQuestion, action: str, reason: str = "") -> None:
    """The moderation log's entry (read by the moderators of the question's organization and those above)."""
    ModerationEntry.objects.create(
        room_id=question.room_id, question=question, actor=user, action=action, reason=reason
    )


# --- Staff: answer, remove, turn into a case --------------------------------------------------------------------


def may_answer(user, question: PublicQuestion) -> bool:
    return _signed_in(user) and has_capability(user, ANSWER_QUESTIONS, question.organization)


def _for_answering(user, question_id: int) -> PublicQuestion:
    question = _lock(question_id)
    if not may_answer(user, question):
        raise PermissionDenied
    return question


def answer_question(user, question_id: int, answer: str, version: int | None = None) -> PublicQuestion:
    """The official answer (or a change of it). The asker is told of the first answer."""
    text = clean_text(answer)
    if not text:
        raise _refuse("answer", _("Write the answer."))
    if len(text) > ANSWER_MAX:
        raise _refuse(
            "answer",
            _("The answer may have at most %(n)s characters (this one has %(m)s).") % {"n": ANSWER_MAX, "m": len(text)},
        )
    with transaction.atomic():
        question = _for_answering(user, question_id)
        if question.state not in (PublicQuestion.State.OPEN, PublicQuestion.State.ANSWERED):
            raise ActionError(_("This question can no longer be answered here."))
        first = question.state == PublicQuestion.State.OPEN
        question.answer = text
        if first:
            question.state = PublicQuestion.State.ANSWERED
            question.answered_at = timezone.now()
        question.answered_by = user
        question.answered_as = acting_organization(user, question.organization, ANSWER_QUESTIONS)
        _index(question)
        save_tracked(user, question, question.organization, expected_version=version)
        if first and question.asker_id:
            notify(
                [question.asker],
                notices.QUESTION_ANSWERED,
                question,
                organization=question.organization,
                title=question.title_public,
                org=question.answered_as.short_name or question.answered_as.name,
            )
    return question


def remove_question(user, question_id: int, reason: str, version: int | None = None) -> PublicQuestion:
    """Take a question off the portal, with a reason told to the asker (e.g. a duplicate, or not a question)."""
    with transaction.atomic():
        question = _for_answering(user, question_id)
        if question.state == PublicQuestion.State.REMOVED:
            raise ActionError(_("This question was already removed."))
        if version is not None and question.version != version:
            raise ActionError(_("Someone else changed this question meanwhile. Reload the page and try again."))
        _remove(user, question, reason)
    return question


def _remove(user, question: PublicQuestion, reason: str) -> None:
    reason = " ".join(clean_text(reason).split())
    if not reason:
        raise _refuse("reason", _("Say why, in a few words: the asker is told."))
    if len(reason) > REASON_MAX:
        raise _refuse("reason", _("The reason may have at most %(n)s characters.") % {"n": REASON_MAX})
    question.state = PublicQuestion.State.REMOVED
    question.removed_reason = reason
    save_tracked(user, question, question.organization)
    if question.asker_id:
        notify(
            [question.asker],
            notices.QUESTION_REMOVED,
            question,
            organization=question.organization,
            title=question.title_public,
            reason=reason,
        )


def case_token(question: PublicQuestion) -> uuid.UUID:
    """The feedback form token of the case a question becomes: the same for every try, and not derivable by the
    asker (who knows the question's own token)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"question-case:{question.client_token}".encode(), hashlib.sha256)
    return uuid.UUID(bytes=digest.digest()[:16], version=4)


def to_case(user, question_id: int, category: str, version: int | None = None) -> PublicQuestion:
    """Turn a question into a feedback case at its organization, in one step: the case enters the closed loop with
    its deadlines, keeps the link back, and the question shows the case's state. A retry makes one case."""
    if category not in Category.values:
        raise _refuse("category", _("Choose the kind of case."))
    with transaction.atomic():
        question = _for_answering(user, question_id)
        if question.state == PublicQuestion.State.CASE and question.case_id:
            return question
        if question.state not in (PublicQuestion.State.OPEN, PublicQuestion.State.ANSWERED):
            raise ActionError(_("This question can no longer be turned into a case."))
        if version is not None and question.version != version:
            raise ActionError(_("Someone else changed this question meanwhile. Reload the page and try again."))
        case, _password, _created = feedback_actions.submit_case(
            place_id=question.organization_id,
            category=category,
            title=question.title,
            description=question.body or question.title,
            is_public=True,
            client_token=case_token(question),
            origin_label=_("Question to the organization #%(n)s") % {"n": question.pk},
            origin_url=reverse("console:public_question", args=[question.pk]),
        )
        question.case = case
        question.state = PublicQuestion.State.CASE
        save_tracked(user, question, question.organization)
        if question.asker_id:
            notify(
                [question.asker],
                notices.QUESTION_CASE,
                question,
                organization=question.organization,
                title=question.title_public,
                number=case.number,
            )
    transaction.on_commit(bump_content_generation)
    return question
