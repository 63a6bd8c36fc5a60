"""What the course area adds to the shared pages (core/registry.py): the console menu entry, the reviewers'
to-do line and the usage metric of courses published."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.accounts.permissions import WRITE_COURSES
from dangjian.core.registry import Counted, MenuItem, ToDo, UsageMetric, period_bounds

from .models import Course


def courses_published(organization, start, end) -> int:
    """Courses of the subtree's organizations published in the period (withdrawn later or not)."""
    since, until = period_bounds(start, end)
    return Course.objects.filter(
        organization__path__startswith=organization.path,
        state__in=[Course.State.PUBLISHED, Course.State.WITHDRAWN],
        published_at__gte=since,
        published_at__lt=until,
    ).count()


def published_courses():
    return Course.objects.filter(state__in=[Course.State.PUBLISHED, Course.State.WITHDRAWN])


def course_link(course: Course) -> str:
    return reverse("console:course", args=[course.pk])


COURSES_PUBLISHED = Counted(
    rows=published_courses,
    organization="organization",
    date="published_at",
    capability=WRITE_COURSES,
    label=lambda course: course.title,
    link=course_link,
)


def _waiting_text(n: int) -> str:
    return ngettext("%(n)s course waits for your review", "%(n)s courses wait for your review", n) % {"n": n}


def _visible(request) -> bool:
    from .course_views import may_use_courses

    return may_use_courses(request.user)


def _waiting(request) -> int | None:
    from .course_views import waiting_count

    return waiting_count(request.user)


def register() -> None:
    from dangjian.core import registry

    registry.register(
        MenuItem("courses", pgettext_lazy("console menu", "Courses"), "console:courses", order=50, visible=_visible),
        ToDo("learning.courses_waiting", _waiting_text, _waiting, "console:courses", query="todo=review", order=50),
        UsageMetric(
            "learning.courses_published",
            _("Courses published"),
            courses_published,
            order=70,
            counted=COURSES_PUBLISHED,
            group="learning",
            definition=_("Courses made by the subtree's organizations and published during the period."),
        ),
    )
