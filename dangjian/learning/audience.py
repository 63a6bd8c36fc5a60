"""Who may learn what: the organizations a person learns as, and the courses (and their exams) offered to them.

A person learns as their branch when they are a party member on the roll, and as every organization where they
hold a staff role. A published course is offered to the subtree of `offered_to`:
- PUBLIC: to everyone, signed in or not (progress is kept only for a signed-in person);
- MEMBERS: to the party members of a branch in the subtree and to staff holding a role in it;
- STAFF: to those holding `staff_role` (any role when blank) on an organization in the subtree.
Staff who may write courses on the course's organization may also open it (to check it), but learn nothing by that.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dangjian.accounts.models import RoleGrant
from dangjian.members.queries import member_for_user
from dangjian.organizations.models import Organization

from .models import Audience, Course


def learner_places(user) -> list[tuple[Organization, str]]:
    """(organization, how) pairs the person learns as: ("member", their branch) and ("<role>", each role's
    organization), nearest first: the member's branch, then the roles in tree order."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = user.__dict__
    if "_learner_places" not in cache:
        places: list[tuple[Organization, str]] = []
        member = member_for_user(user)
        if member is not None:
            places.append((member.organization, "member"))
        for grant in (
            RoleGrant.objects.filter(user=user).select_related("organization").order_by("organization__path", "role")
        ):
            if grant.organization.closed_at is None:
                places.append((grant.organization, grant.role))
        cache["_learner_places"] = places
    return cache["_learner_places"]


def learner_organization(user) -> Organization | None:
    """The one organization a person's learning counts for (per-organization figures): their branch as a member,
    else the organization of their first role."""
    places = learner_places(user)
    return places[0][0] if places else None


def _offered(course: Course, organization: Organization, how: str) -> bool:
    if not organization.path.startswith(course.offered_to.path):
        return False
    if course.audience == Audience.MEMBERS:
        return True  # members of the subtree, and staff serving in it
    if course.audience == Audience.STAFF:
        return how != "member" and (not course.staff_role or course.staff_role == how)
    return True


def is_offered(user, course: Course) -> bool:
    """Whether the (published) course is offered to this person (anyone, for a public course)."""
    if course.state != Course.State.PUBLISHED:
        return False
    if course.audience == Audience.PUBLIC:
        return True
    return any(_offered(course, organization, how) for organization, how in learner_places(user))


def learner_for(user, course: Course) -> Organization | None:
    """The organization the person takes this course as (their nearest place the course is offered to)."""
    for organization, how in learner_places(user):
        if _offered(course, organization, how):
            return organization
    if course.audience == Audience.PUBLIC:
        return learner_organization(user)
    return None


def offered_courses(user) -> QuerySet[Course]:
    """Published courses offered to this person: public ones anywhere, and those offered to a subtree holding one
    of their places (narrowed by audience and role)."""
    condition = Q(audience=Audience.PUBLIC)
    for organization, how in learner_places(user):
        prefixes = organization.ancestor_ids
        within = Q(offered_to_id__in=prefixes)
        if how == "member":
            condition |= within & Q(audience=Audience.MEMBERS)
        else:
            condition |= within & (
                Q(audience=Audience.MEMBERS) | (Q(audience=Audience.STAFF) & Q(staff_role__in=["", how]))
            )
    return Course.objects.filter(condition, state=Course.State.PUBLISHED).select_related("organization")


def courses_on_portal(organization: Organization) -> QuerySet[Course]:
    """Published courses a portal lists: offered to this organization's subtree or to one above it (a county
    course shows on every portal below), public ones and the members' (the page says who may take them). Staff
    courses are never listed on a portal (members can never take them): their learners find them in 我的学习."""
    return Course.objects.filter(
        state=Course.State.PUBLISHED,
        offered_to_id__in=organization.ancestor_ids,
        audience__in=[Audience.PUBLIC, Audience.MEMBERS],
    ).select_related("organization")
