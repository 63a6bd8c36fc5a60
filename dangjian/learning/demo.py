"""The demo county's learning (the protocol is the docstring of dangjian/demo/__init__.py). Each area adds its part
from its own module, in this order, each reading from the database what the parts before it made:

- the county's competency framework (the standard six), here;
- `demo_banks`: a 200-question bank tagged by policy area and competency;
- `demo_courses`: policy explainers built from the demo policies, a course with a video made by ffmpeg from a test
  pattern (none when ffmpeg is missing) and a PDF, offered to every branch;
- `demo_exams`: the course's certifying exam, some members' attempts and certificates;
- `demo_training`: a township's training session for its new-media officers, with attendance;
- `demo_assessments`: a round of staff assessments with results per competency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from dangjian.organizations.models import Organization

from . import competencies, demo_assessments, demo_banks, demo_courses, demo_exams, demo_training
from .models import Assessment, Certificate, Course, Question, TrainingSession

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

PARTS = [demo_banks, demo_courses, demo_exams, demo_training, demo_assessments]


def load(ctx: DemoContext) -> list[str]:
    county = Organization.objects.filter(parent=None).order_by("pk").first()
    if county is None:
        return []
    competencies.create_standard(county)
    lines: list[str] = []
    for part in PARTS:
        lines += part.load(ctx) or []
    return lines


def summary() -> str:
    counts = {
        "courses": Course.objects.filter(state=Course.State.PUBLISHED).count(),
        "questions": Question.objects.count(),
        "certificates": Certificate.objects.count(),
        "sessions": TrainingSession.objects.count(),
        "assessed": Assessment.objects.aggregate(n=Count("user", distinct=True))["n"],
    }
    return (
        f"{counts['courses']} courses, {counts['questions']} questions, {counts['certificates']} certificates, "
        f"{counts['sessions']} training sessions, {counts['assessed']} officers assessed"
    )
