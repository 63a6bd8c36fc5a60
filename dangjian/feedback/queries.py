"""Reads scoped to what a staff member may see (see accounts.permissions)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from dangjian.accounts.permissions import (
    APPROVE_FEEDBACK,
    HANDLE_FEEDBACK,
    held_paths,
    organizations_for,
    scope_paths,
)

from .models import Case


def visible_cases(user):
    """Cases whose place, lead or assisting organization lies in the user's feedback scope."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Case.objects.all()
    paths = scope_paths(user, HANDLE_FEEDBACK)
    if not paths:
        return Case.objects.none()
    from dangjian.organizations.models import Organization

    roots = set(Organization.objects.filter(parent__isnull=True).values_list("path", flat=True))
    if roots <= set(paths):  # the whole tree: no condition, so the ordering indexes can be used
        return Case.objects.all()
    condition = Q()
    assisted = Q()
    for path in paths:
        # Path ranges on denormalized columns, so each term can use its index (see Organization.subtree_range).
        upper = path[:-1] + "0"
        condition |= Q(place_path__gte=path, place_path__lt=upper) | Q(lead_path__gte=path, lead_path__lt=upper)
        assisted |= Q(path__startswith=path)

    assisted_ids = Case.assisting_orgs.through.objects.filter(
        organization__in=Organization.objects.filter(assisted)
    ).values("case_id")
    return Case.objects.filter(condition | Q(pk__in=assisted_ids))


def get_case_for_user(user, case_id: int) -> Case:
    case = (
        visible_cases(user)
        .select_related("place", "lead_org", "handling_org", "supervising_org", "merged_into", "replied_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def feedback_scope(user):
    return organizations_for(user, HANDLE_FEEDBACK)


def dashboard_counts(user) -> dict | None:
    """What waits for the user in the feedback inbox (None if they do not handle feedback)."""
    from django.utils import timezone

    from .models import WAITING_STATES, overdue_condition

    if not feedback_scope(user).exists():
        return None
    cases = visible_cases(user)
    return {
        "waiting": cases.filter(state__in=WAITING_STATES).count(),
        "overdue": cases.filter(overdue_condition(timezone.now())).count(),
    }


# --- The person's to-do (registered as core.registry.ToDo; the inbox's `todo` filter lists the same cases) ------

# A to-do is the person's own work: the organizations they hold a role on directly, not everything below them
# (a county administrator does not answer the villages' cases). By the workflow's actor rules and its records:
#   accept    a case received at the place: the place's own staff, or the organization right above it (the
#             township for a village), who accept (or accept and handle) it;
#   dispatch  accepted or returned (退单): the organization that accepted it (`handling_org`) dispatches it;
#   start     dispatched (待签收): the lead organization;
#   answer    in progress: the lead organization;
#   approve   the reply waits for the lead organization's head;
#   supervise an open case flagged overdue (督办, clock.py) to the organization above the one responsible.
TODO_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("received",), HANDLE_FEEDBACK),
    "dispatch": (("accepted", "returned"), HANDLE_FEEDBACK),
    "start": (("dispatched",), HANDLE_FEEDBACK),
    "answer": (("in_progress",), HANDLE_FEEDBACK),
    "approve": (("pending_approval",), APPROVE_FEEDBACK),
    "supervise": (
        ("received", "accepted", "returned", "dispatched", "in_progress", "pending_approval"),
        HANDLE_FEEDBACK,
    ),
}


def holds_for_todo(user, kind: str) -> bool:
    """Whether this kind of to-do is the user's work at all (a cheap check: the request's cached grants)."""
    capability = TODO_KINDS[kind][1]
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(held_paths(user, capability))


def _whose(kind: str, paths: list[str]) -> Q:
    """The cases whose step of this kind falls to the organizations at these paths."""
    if kind == "accept":
        return Q(place_path__in=paths) | Q(place__parent__path__in=paths)
    if kind == "dispatch":
        return Q(handling_org__path__in=paths)
    if kind == "supervise":
        return Q(supervised=True, supervising_org__path__in=paths)
    return Q(lead_path__in=paths)


def todo_condition(user, kind: str) -> Q:
    """The cases waiting for the user's step of this kind (a subset of `visible_cases(user)`)."""
    states, capability = TODO_KINDS[kind]
    condition = Q(state__in=states)
    if getattr(user, "is_superuser", False) and user.is_active:
        return condition & Q(supervised=True) if kind == "supervise" else condition
    paths = held_paths(user, capability)
    return condition & (_whose(kind, paths) if paths else Q(pk__in=[]))


def todo_count(user, kind: str) -> int | None:
    """How many cases wait for the user's step of this kind; None when it is not their work."""
    if not holds_for_todo(user, kind):
        return None
    return visible_cases(user).filter(todo_condition(user, kind)).count()
