"""Writing a case row: locking it against concurrent steps, saving it with its version, recording
its events and keeping the statistics counters in step. Used by `actions` and `clock`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, EditConflict
from dangjian.core.masking import mask_personal_data, personal_names

from .models import Case, CaseEvent, CaseStat
from .search import case_tokens


def mask_for_others(case: Case, text: str) -> str:
    """`text` as anyone but the citizen of `case` may read it: personal data masked, including the citizen's
    own name and contact phone as found in the case, which a staff answer may repeat."""
    return mask_personal_data(
        text, extra_names=personal_names(f"{case.title}\n{case.description}"), extra_numbers=[case.contact_phone]
    )


def record_event(case, kind, actor=None, organization=None, text="", public=True, from_state="", to_state="", at=None):
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        text=text,
        public=public,
        from_state=from_state,
        to_state=to_state,
        at=at or timezone.now(),
    )


def bump_stats(case: Case, **increments: int) -> None:
    month = timezone.localtime(case.received_at).date().replace(day=1)
    stat, _created = CaseStat.objects.get_or_create(
        organization_id=case.place_id,
        month=month,
        category=case.category,
        defaults={"org_path": case.place_path},
    )
    CaseStat.objects.filter(pk=stat.pk).update(**{name: F(name) + value for name, value in increments.items()})


def lock_case(case_id: int, expected_version: int | None = None) -> Case:
    try:
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("place", "lead_org", "handling_org")
            .get(pk=case_id)
        )
    except Case.DoesNotExist as error:
        raise ActionError(_("The case no longer exists.")) from error
    if expected_version is not None and case.version != expected_version:
        raise EditConflict(
            _(
                "Someone else acted on this case while you were looking at it. Your input is kept below; "
                "read the case again before you go on."
            )
        )
    return case


def insert_case(case: Case) -> None:
    """Write a new case row. Like `save_case`, the public pages are refreshed once the change commits.
    The words of its title and description are stored for the inbox search (search.py)."""
    if not case.search_tokens:
        case.search_tokens = case_tokens(case.title, case.description)
    case.save()
    bump_content_generation()


def save_case(case: Case, fields: Iterable[str]) -> None:
    """Write a changed case: every step of every workflow goes through here (and new cases through
    `insert_case`), so the cached public pages are refreshed once the change commits, whatever it was."""
    was_listed = case.listed
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at", "listed"])
    if case.listed != was_listed:
        bump_stats(case, listed=1 if case.listed else -1)
    bump_content_generation()
