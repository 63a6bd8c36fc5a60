"""What the exam area adds to the shared pages (core/registry.py): the console menu's 考试 for those who manage
questions, a link on an organization's console page, and on a person's own home page the exams they may sit and
their certificates."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from dangjian.accounts.permissions import MANAGE_QUESTIONS, has_capability
from dangjian.core import registry
from dangjian.core.registry import DashboardPanel, MenuItem, OrganizationLink

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


def register() -> None:
    from .queries import may_use

    registry.register(
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
