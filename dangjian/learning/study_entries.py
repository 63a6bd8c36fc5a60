"""What the study area adds to the shared pages (core/registry.py): the portal's 学习 section and its block of
the latest courses, the "my learning" menu entry and console panel, and the course completions per organization."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.registry import DashboardPanel, MenuItem, PortalBlock, PortalSection, UsageMetric, period_bounds

from . import audience
from .models import Course, Enrollment

PORTAL_COURSES = 3


def course_completions(organization, start, end) -> int:
    """Courses finished in the period by learners who learn as an organization of the subtree."""
    since, until = period_bounds(start, end)
    return Enrollment.objects.filter(
        organization__path__startswith=organization.path, completed_at__gte=since, completed_at__lt=until
    ).count()


def courses_offered(organization, start, end) -> int:
    """Courses published in the period that are offered to the organization (from it or from above) or to an
    organization of its subtree."""
    since, until = period_bounds(start, end)
    return (
        Course.objects.filter(
            state__in=[Course.State.PUBLISHED, Course.State.WITHDRAWN], published_at__gte=since, published_at__lt=until
        )
        .filter(Q(offered_to_id__in=organization.ancestor_ids) | Q(offered_to__path__startswith=organization.path))
        .count()
    )


def portal_courses_block(organization) -> dict | None:
    courses = list(audience.courses_on_portal(organization)[:PORTAL_COURSES])
    return {"courses": courses} if courses else None


def is_learner(request) -> bool:
    return bool(audience.learner_places(request.user))


def my_learning_panel(request) -> dict | None:
    """On the console home of a member or staff: how many courses they have in progress, and the way to them."""
    user = request.user
    in_progress = Enrollment.objects.filter(user=user, completed_at=None, course__state=Course.State.PUBLISHED).count()
    if not in_progress and not audience.learner_places(user):
        return None
    return {"in_progress": in_progress}


def register() -> None:
    from dangjian.core import registry

    registry.register(
        PortalSection("learning", pgettext_lazy("portal section", "Learning"), "learning:catalogue", order=45),
        PortalBlock("learning", "learning/_study_portal_courses.html", portal_courses_block, order=40),
        MenuItem(
            "my_learning", pgettext_lazy("learner", "My learning"), "learning:my_learning", order=7, visible=is_learner
        ),
        DashboardPanel(
            "my_learning", "learning/_study_dashboard_panel.html", my_learning_panel, order=6, everyone=True
        ),
        UsageMetric("learning.course_completions", _("Courses finished"), course_completions, order=70),
        UsageMetric("learning.courses_offered", _("Courses offered"), courses_offered, order=71),
    )
