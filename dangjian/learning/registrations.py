"""What the learning module adds to the shared pages (core/registry.py). Each area registers its own entries from
its own module (`<area>_entries.py`); this file registers what belongs to the module as a whole (what a merge
moves, the tracked models)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.permissions import (
    MANAGE_ASSESSMENTS,
    MANAGE_QUESTIONS,
    MANAGE_TRAINING,
    WRITE_COURSES,
)
from dangjian.core.registry import OrganizationData, TrackedModel, register

from . import assessment_entries, bank_entries, course_entries, exam_entries, study_entries, training_entries
from .models import AssessmentRound, Competency, Course, Exam, QuestionBank, TrainingSession


def _merge_learning(source, target) -> None:
    """What the merged organization made moves to the survivor: its courses (and what it offered them to), banks,
    exams, training sessions and assessment rounds. Its competency framework goes too, unless the survivor keeps
    one (then the survivor's applies; questions and results keep pointing at the old rows, which stay)."""
    for model in (Course, QuestionBank, Exam, TrainingSession, AssessmentRound):
        model.objects.filter(organization=source).update(organization=target)
    Course.objects.filter(offered_to=source).update(offered_to=target)
    if not Competency.objects.filter(organization=target).exists():
        Competency.objects.filter(organization=source).update(organization=target)


def _count(org) -> int:
    return sum(
        model.objects.filter(organization=org).count()
        for model in (Course, QuestionBank, Exam, TrainingSession, AssessmentRound)
    )


def register_entries() -> None:
    register(
        OrganizationData(
            key="learning.content",
            label=_("Courses, question banks, exams, training sessions and assessment rounds"),
            count=_count,
            merge=_merge_learning,
            order=70,
        ),
        TrackedModel("course", "learning", WRITE_COURSES),
        TrackedModel("lesson", "learning", WRITE_COURSES),
        TrackedModel("questionbank", "learning", MANAGE_QUESTIONS),
        TrackedModel("question", "learning", MANAGE_QUESTIONS),
        TrackedModel("exam", "learning", MANAGE_QUESTIONS),
        TrackedModel("trainingsession", "learning", MANAGE_TRAINING),
        TrackedModel("competency", "learning", MANAGE_ASSESSMENTS),
        TrackedModel("assessmentround", "learning", MANAGE_ASSESSMENTS),
    )
    course_entries.register()
    study_entries.register()
    bank_entries.register()
    exam_entries.register()
    training_entries.register()
    assessment_entries.register()
