"""Reads scoped to what a staff member may see (see accounts.permissions)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from dangjian.accounts.permissions import APPROVE_FEEDBACK, HANDLE_FEEDBACK, organizations_for, scope_paths

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

    from .models import OPEN_STATES, State

    if not feedback_scope(user).exists():
        return None
    now = timezone.now()
    cases = visible_cases(user)
    return {
        "waiting": cases.filter(state__in=[State.RECEIVED, *OPEN_STATES]).count(),
        "overdue": cases.filter(
            Q(state=State.RECEIVED, accept_deadline__lt=now) | Q(state__in=OPEN_STATES, answer_deadline__lt=now)
        ).count(),
    }


# --- The person's to-do (registered as core.registry.ToDo; the inbox's `todo` filter lists the same cases) ------

# to-do → (states, the path column of the organization whose staff take the step, the capability), by the
# workflow's actor rules: accepting and dispatching by the place or above, signing for (开始办理) and answering by
# the lead or above, approving by the lead's head.
TODO_KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "accept": (("received",), "place_path", HANDLE_FEEDBACK),
    "dispatch": (("accepted", "returned"), "place_path", HANDLE_FEEDBACK),
    "start": (("dispatched",), "lead_path", HANDLE_FEEDBACK),
    "answer": (("in_progress",), "lead_path", HANDLE_FEEDBACK),
    "approve": (("pending_approval",), "lead_path", APPROVE_FEEDBACK),
}


def holds_for_todo(user, kind: str) -> bool:
    """Whether this kind of to-do is the user's work at all (a cheap check: the request's cached grants)."""
    capability = TODO_KINDS[kind][2]
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(scope_paths(user, capability))


def todo_condition(user, kind: str) -> Q:
    """The cases waiting for the user's step of this kind (a subset of `visible_cases(user)`)."""
    states, column, capability = TODO_KINDS[kind]
    condition = Q(state__in=states)
    if getattr(user, "is_superuser", False) and user.is_active:
        return condition
    within = Q(pk__in=[])
    for path in scope_paths(user, capability):
        within |= Q(**{f"{column}__gte": path, f"{column}__lt": path[:-1] + "0"})
    return condition & within


def todo_count(user, kind: str) -> int | None:
    """How many cases wait for the user's step of this kind; None when it is not their work."""
    if not holds_for_todo(user, kind):
        return None
    return Case.objects.filter(todo_condition(user, kind)).count()
