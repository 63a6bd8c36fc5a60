"""Who may do what, where. A role granted on an organization holds for its whole subtree.

Every permission check in views, actions and templates goes through these helpers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from dangjian.organizations.models import Organization

from .models import Role

MANAGE_CONTENT = "content.manage"  # profile, leadership, policies
MANAGE_ROLES = "roles.manage"
# Adding organizations below one, moving, closing and merging them (organizations.tree). Held on X, it lets the
# holder change what lies strictly below X: an organization is moved, closed or merged by a holder on its parent.
MANAGE_TREE = "tree.manage"
USE_CONSOLE = "console.use"
HANDLE_FEEDBACK = "feedback.handle"  # accept, dispatch, answer citizens' cases
APPROVE_FEEDBACK = "feedback.approve"  # the organization's head approves replies and extensions
MANAGE_SETTINGS = "settings.manage"  # dispatch catalogue, time limits, calendar
READ_SUPERVISION_AUDIT = "supervision.audit.read"  # who did what with a unit's reports (never their content)
# A discipline officer of a unit: reads and handles the reports the unit receives (and, with the unit's own keys,
# those of the units below), makes and shares the unit's keys. Held through a grant on the unit or above; the
# units where a user holds it exactly are `units_for(user, SUPERVISION_OFFICER)`, its holders `holders(unit, ...)`.
SUPERVISION_OFFICER = "supervision.officer"
# Deciding who are a unit's discipline officers: an officer of a unit above (`holds_above`); for a unit with no
# officer above, an officer of the unit itself (supervision.officers.may_decide).
DECIDE_SUPERVISION_OFFICERS = "supervision.officers.decide"
# The head of a unit, told (never the content) when a report of the unit is overdue or about to be deleted.
SUPERVISION_HEAD = "supervision.head"
# The member registry of a branch and below: add, edit, import, transfer, invite; export (audited). A mobile number
# is shown in full only to those holding it directly on the member's own branch (its committee), masked above.
MANAGE_MEMBERS = "members.manage"
# Planning a branch's meetings, recording attendance and minutes; the compliance grid of the subtree.
MANAGE_MEETINGS = "meetings.manage"
# Publishing (发布与推送). Writing articles and sending them up (信息报送); the review steps before the last one;
# the last step (终审), which publishes; adopting what organizations below send up; the columns and their rules.
WRITE_ARTICLES = "publishing.write"
REVIEW_ARTICLES = "publishing.review"
APPROVE_ARTICLES = "publishing.approve"
ADOPT_SUBMISSIONS = "publishing.adopt"
MANAGE_COLUMNS = "publishing.columns"
# Sending notices to the organizations below; signing off (签收) and replying for a receiving organization (held
# on exactly that organization: one above cannot sign for it).
SEND_NOTICES = "notices.send"
SIGN_NOTICES = "notices.sign"
# An organization's group robots (企业微信, 钉钉, 飞书 webhooks) and their delivery log.
MANAGE_ROBOTS = "robots.manage"
# Learning (学习培训与考核). Writing courses and their lessons; publishing them (the review step) and withdrawing;
# question banks and exams; training sessions (registration, attendance); the competency framework and assessment
# rounds of new-media officers, and their results; grading an officer's practical task (never one's own).
WRITE_COURSES = "learning.write"
PUBLISH_COURSES = "learning.publish"
MANAGE_QUESTIONS = "learning.questions"
MANAGE_TRAINING = "learning.training"
MANAGE_ASSESSMENTS = "learning.assessments"
GRADE_ASSESSMENTS = "learning.grade"
# Exchange (交流互动). Opening an organization's rooms and keeping them (name, audience, review before publishing,
# the pinned announcement, admins); moderating them (the review queue, reports, removing a message, warning, muting
# or removing a member, looking up a resident's verified identity for a report); answering residents' questions
# (问政) officially and turning one into a feedback case. Held on an organization, each holds for the rooms and
# questions of its subtree, so staff above see and moderate the rooms below.
MANAGE_ROOMS = "exchange.rooms"
MODERATE_ROOMS = "exchange.moderate"
ANSWER_QUESTIONS = "exchange.answer"
# The usage summaries (analytics): the figures of one's subtree, its reports; the rows behind a figure need the
# capability of the module that owns them as well.
VIEW_SUMMARIES = "analytics.view"
# The monthly and quarterly usage reports the clock sends by e-mail: to the holders on exactly the organization
# (its administrators), each organization that has any receiving its own subtree's report.
RECEIVE_SUMMARY_REPORTS = "analytics.reports.receive"

CAPABILITIES: dict[str, set[str]] = {
    MANAGE_CONTENT: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_ROLES: {Role.ORG_ADMIN},
    MANAGE_TREE: {Role.ORG_ADMIN},
    USE_CONSOLE: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER, Role.DISCIPLINE},
    HANDLE_FEEDBACK: {Role.ORG_ADMIN, Role.SECRETARY},
    APPROVE_FEEDBACK: {Role.SECRETARY},
    MANAGE_SETTINGS: {Role.ORG_ADMIN},
    # The unit's head and those above it (roles hold for the subtree), the discipline officers supervising
    # the unit from above, and the unit's own officers (their own accesses are in it).
    READ_SUPERVISION_AUDIT: {Role.ORG_ADMIN, Role.SECRETARY, Role.DISCIPLINE},
    SUPERVISION_OFFICER: {Role.DISCIPLINE},
    DECIDE_SUPERVISION_OFFICERS: {Role.DISCIPLINE},
    SUPERVISION_HEAD: {Role.SECRETARY, Role.ORG_ADMIN},
    MANAGE_MEMBERS: {Role.ORG_ADMIN, Role.SECRETARY},
    MANAGE_MEETINGS: {Role.ORG_ADMIN, Role.SECRETARY},
    WRITE_ARTICLES: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    REVIEW_ARTICLES: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    APPROVE_ARTICLES: {Role.ORG_ADMIN, Role.SECRETARY},
    ADOPT_SUBMISSIONS: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_COLUMNS: {Role.ORG_ADMIN, Role.SECRETARY},
    SEND_NOTICES: {Role.ORG_ADMIN, Role.SECRETARY},
    SIGN_NOTICES: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_ROBOTS: {Role.ORG_ADMIN, Role.SECRETARY},
    WRITE_COURSES: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    PUBLISH_COURSES: {Role.ORG_ADMIN, Role.SECRETARY},
    MANAGE_QUESTIONS: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MANAGE_TRAINING: {Role.ORG_ADMIN, Role.SECRETARY},
    MANAGE_ASSESSMENTS: {Role.ORG_ADMIN, Role.SECRETARY},
    GRADE_ASSESSMENTS: {Role.ORG_ADMIN, Role.SECRETARY},
    MANAGE_ROOMS: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    MODERATE_ROOMS: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    ANSWER_QUESTIONS: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    VIEW_SUMMARIES: {Role.ORG_ADMIN, Role.SECRETARY, Role.MEDIA_OFFICER},
    RECEIVE_SUMMARY_REPORTS: {Role.ORG_ADMIN},
}
# Capabilities the system administrator does not hold by being one: reading reports needs one's own grant
# (and one's own share of the unit's keys); the administrator may only ask for an officer change.
PERSONAL: frozenset[str] = frozenset({SUPERVISION_OFFICER, DECIDE_SUPERVISION_OFFICERS})


def _is_superuser(user, capability: str) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) and capability not in PERSONAL


def _grants(user) -> list[tuple[str, str]]:
    """(organization path, role) pairs of the user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_role_grant_cache", None)
    if cached is None:
        cached = list(user.role_grants.values_list("organization__path", "role"))
        user._role_grant_cache = cached
    return cached


def scope_paths(user, capability: str) -> list[str]:
    roles = CAPABILITIES[capability]
    paths = sorted({path for path, role in _grants(user) if role in roles})
    # Drop paths already covered by an ancestor path.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def held_paths(user, capability: str) -> list[str]:
    """The paths of the organizations on which the user holds a role with the capability directly (not the
    organizations below them): what is the person's own work, e.g. their to-do."""
    roles = CAPABILITIES[capability]
    return sorted({path for path, role in _grants(user) if role in roles})


def has_capability(user, capability: str, organization: Organization) -> bool:
    if _is_superuser(user, capability):
        return True
    return any(organization.path.startswith(p) for p in scope_paths(user, capability))


def organizations_for(user, capability: str):
    """The organizations on which the user has the capability (their grants' subtrees)."""
    if _is_superuser(user, capability):
        return Organization.objects.all()
    paths = scope_paths(user, capability)
    if not paths:
        return Organization.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Organization.objects.filter(condition)


def require(user, capability: str, organization: Organization) -> None:
    if not has_capability(user, capability, organization):
        raise PermissionDenied


def get_organization_for_user(user, pk: int, capability: str) -> Organization:
    """The organization for a console page, or 404/403. A closed (or merged) organization's console page and
    history stay readable (USE_CONSOLE); every page that changes something is gone with it."""
    organization = get_object_or_404(Organization, pk=pk)
    if organization.is_closed and capability != USE_CONSOLE:
        raise Http404
    require(user, capability, organization)
    return organization


def acting_organization(user, organization: Organization, capability: str) -> Organization:
    """The organization the user acts for on `organization`: their deepest grant covering it (or 403)."""
    if _is_superuser(user, capability):
        return organization
    roles = CAPABILITIES[capability]
    paths = [path for path, role in _grants(user) if role in roles and organization.path.startswith(path)]
    if not paths:
        raise PermissionDenied
    return Organization.objects.get(path=max(paths, key=len))


def holders(organization: Organization, capability: str):
    """Active users holding the capability through a grant on exactly this organization."""
    from .models import User

    return User.objects.filter(
        is_active=True,
        role_grants__organization=organization,
        role_grants__role__in=CAPABILITIES[capability],
    ).distinct()


def units_for(user, capability: str):
    """The organizations on which the user holds the capability through a grant of their own, exactly (not the
    subtrees below them; the system administrator holds none by being one). Read fresh, not from the request cache,
    so that a grant changed during the request counts at once. A disabled account keeps its grants (it cannot sign
    in); revoking them still finds them."""
    if getattr(user, "pk", None) is None:
        return Organization.objects.none()
    return Organization.objects.filter(
        role_grants__user=user, role_grants__role__in=CAPABILITIES[capability]
    ).distinct()


def holds_any(user, capability: str) -> bool:
    """Whether the user holds the capability through a grant of their own anywhere."""
    return units_for(user, capability).exists()


def holds_exactly(user, capability: str, organization: Organization) -> bool:
    """Whether the user holds the capability through a grant on exactly this organization."""
    return units_for(user, capability).filter(pk=organization.pk).exists()


def holds_above(user, capability: str, organization: Organization) -> bool:
    """Whether the user holds the capability through a grant of their own on an organization above this one."""
    return any(
        organization.path.startswith(path) and path != organization.path
        for path in units_for(user, capability).values_list("path", flat=True)
    )


def grant_counts_for(role: str, capability: str) -> bool:
    """Whether a grant of `role` gives the capability (e.g. to name the role a person acted in)."""
    return role in CAPABILITIES[capability]


def can_use_console(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(scope_paths(user, USE_CONSOLE))
