"""What the course area adds to the shared pages (core/registry.py): the console menu entry, the reviewers'
to-do line and the usage metric of courses published."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.core.registry import MenuItem, ToDo, UsageMetric, period_bounds

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
        UsageMetric("learning.courses_published", _("Courses published"), courses_published, order=70),
    )
