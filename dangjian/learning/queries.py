"""Staff-side reads shared by the learning areas, scoped to what the person may see: the rows of the organizations
where they hold a capability (their grants' subtrees); everything else is a 404, like a row that does not exist.
The learner's side asks `audience.py`."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from dangjian.accounts.permissions import scope_paths


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def within_scope(queryset: QuerySet, user, capability: str, field: str = "organization") -> QuerySet:
    """`queryset` narrowed to rows whose `field` (an organization) lies where the user holds `capability`."""
    if is_superuser(user):
        return queryset
    paths = scope_paths(user, capability)
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return queryset.filter(condition)


def may_use(user, capability: str) -> bool:
    """Whether the person holds the capability anywhere (a menu entry)."""
    return is_superuser(user) or bool(scope_paths(user, capability))


def get_for_user(queryset: QuerySet, user, pk: int, capability: str, field: str = "organization") -> Model:
    """One row by id within the user's scope for `capability`, or 404."""
    found = within_scope(queryset, user, capability, field).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
