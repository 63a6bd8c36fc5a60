"""What the study area adds to the shared pages (core/registry.py): the portal's 学习 section and its block of
the latest courses, the "my learning" menu entry and console panel, and the course completions per organization."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import WRITE_COURSES
from dangjian.core.registry import (
    Counted,
    DashboardPanel,
    MenuItem,
    PortalBlock,
    PortalSection,
    UsageMetric,
    period_bounds,
)

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
    """Courses published in the period that are offered to an organization of the subtree, each counted once,
    where it is offered (a county's course offered to the whole county counts for the county, not again for each
    village: figures add up the tree)."""
    since, until = period_bounds(start, end)
    return Course.objects.filter(
        state__in=[Course.State.PUBLISHED, Course.State.WITHDRAWN],
        published_at__gte=since,
        published_at__lt=until,
        offered_to__path__startswith=organization.path,
    ).count()


def _course_link(course: Course) -> str:
    return reverse("console:course", args=[course.pk])


COURSE_COMPLETIONS = Counted(
    rows=lambda: Enrollment.objects.select_related("course"),
    organization="organization",
    date="completed_at",
    capability=WRITE_COURSES,
    # The course, never the learner.
    label=lambda enrollment: enrollment.course.title,
    link=lambda enrollment: _course_link(enrollment.course),
)
COURSES_OFFERED = Counted(
    rows=lambda: Course.objects.filter(state__in=[Course.State.PUBLISHED, Course.State.WITHDRAWN]),
    organization="offered_to",
    date="published_at",
    moves=True,  # a published course may be offered to another organization of its owner's subtree
    capability=WRITE_COURSES,
    label=lambda course: course.title,
    link=_course_link,
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
        UsageMetric(
            "learning.course_completions",
            _("Courses finished"),
            course_completions,
            order=70,
            counted=COURSE_COMPLETIONS,
            group="learning",
            definition=_(
                "Courses finished during the period by learners who learn as members or staff of an organization of "
                "the subtree (one per learner and course)."
            ),
        ),
        UsageMetric(
            "learning.courses_offered",
            _("Courses offered"),
            courses_offered,
            order=71,
            counted=COURSES_OFFERED,
            group="learning",
            definition=_(
                "Courses published during the period for the learners of an organization of the subtree, counted "
                "once at the organization they are offered to (a county-wide course counts for the county only)."
            ),
        ),
    )
