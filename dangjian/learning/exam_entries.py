"""What the exam area adds to the shared pages (core/registry.py): the console menu's 考试 for those who manage
questions, a link on an organization's console page, and on a person's own home page the exams they may sit and
their certificates."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_QUESTIONS, has_capability
from dangjian.core import registry
from dangjian.core.registry import Counted, DashboardPanel, MenuItem, OrganizationLink, UsageMetric, period_bounds

PANEL_LIMIT = 10


def sittable_exams(user) -> list:
    """Open exams of the organizations at or above the person's places that they may sit (or are sitting)."""
    from . import audience
    from .exam_access import may_sit
    from .models import Exam

    ids: set[int] = set()
    for organization, _how in audience.learner_places(user):
        ids.update(organization.ancestor_ids)
    if not ids:
        return []
    exams = Exam.objects.filter(state=Exam.State.OPEN, organization_id__in=ids).select_related("organization", "course")
    return [exam for exam in exams.order_by("-pk")[:50] if may_sit(user, exam) == ""][:PANEL_LIMIT]


def exams_panel(request) -> dict | None:
    from .models import Certificate

    user = request.user
    if not user.is_authenticated:
        return None
    exams = sittable_exams(user)
    certificates = list(Certificate.objects.filter(user=user, revoked_at__isnull=True)[:PANEL_LIMIT])
    if not exams and not certificates:
        return None
    return {"exams": exams, "certificates": certificates}


def _passed_attempts():
    from .models import Attempt

    return Attempt.objects.filter(state=Attempt.State.GRADED, passed=True).select_related("exam")


def exams_passed(organization, start, end) -> int:
    """Exam sittings graded as passed in the period, of learners who sat as an organization of the subtree."""
    since, until = period_bounds(start, end)
    return (
        _passed_attempts()
        .filter(organization__path__startswith=organization.path, submitted_at__gte=since, submitted_at__lt=until)
        .count()
    )


EXAMS_PASSED = Counted(
    rows=_passed_attempts,
    organization="organization",
    date="submitted_at",
    capability=MANAGE_QUESTIONS,
    # The exam, never the person who sat it nor a score.
    label=lambda attempt: attempt.exam.title,
    link=lambda attempt: reverse("console:exam", args=[attempt.exam_id]),
)


def register() -> None:
    from .queries import may_use

    registry.register(
        UsageMetric(
            "learning.exams_passed",
            _("Exams passed"),
            exams_passed,
            order=74,
            counted=EXAMS_PASSED,
            group="learning",
            definition=_(
                "Exam sittings graded as passed during the period, counted at the organization the learner sat "
                "for (their branch or their post), whoever set the exam: how the organization's own people learn."
            ),
        ),
        MenuItem(
            "exams",
            pgettext_lazy("exam", "Exams"),
            "console:exams",
            order=72,
            visible=lambda request: may_use(request.user, MANAGE_QUESTIONS),
        ),
        OrganizationLink(
            "exam_new",
            pgettext_lazy("exam", "New exam"),
            "console:exam_new",
            lambda user, org: org.closed_at is None and has_capability(user, MANAGE_QUESTIONS, org),
            order=72,
            secondary=True,
        ),
        DashboardPanel("learning.exams", "learning/exam_panel.html", exams_panel, order=60, everyone=True),
    )
