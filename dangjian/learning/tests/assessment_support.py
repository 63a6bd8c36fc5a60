"""A township's assessment round for the tests: the county's framework (two competencies, to keep it short), an
exam of the county bank per competency, and officers in the township and its villages."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.learning import assessment_actions as actions
from dangjian.learning.models import Attempt, Competency
from dangjian.tests_support.factories import exam, question_bank, staff

RUBRIC = (("导语交代清楚时间地点人物", 40), ("内容准确", 40), ("语言简洁", 20))


def framework(county_org, names=("写作编辑", "政策理论")) -> list[Competency]:
    return [
        Competency.objects.create(organization=county_org, name=name, order=i) for i, name in enumerate(names, start=1)
    ]


def round_input(**overrides) -> actions.RoundInput:
    values = {
        "title": "2026年度新媒体工作人员考核",
        "year": 2026,
        "task": "围绕本镇主题党日活动写一篇500字左右的新闻稿。",
        "rubric": RUBRIC,
        "task_pass_percent": 60,
        "due_on": timezone.localdate() + datetime.timedelta(days=30),
    }
    values.update(overrides)
    return actions.RoundInput(**values)


class Setup:
    def __init__(self, county, *, open_round: bool = True):
        self.county = county
        self.competencies = framework(county.county)
        bank = question_bank(county.county, "新媒体能力题库", questions=5)
        self.exams = [exam(bank, f"{c.name}测试", competency=c) for c in self.competencies]
        self.officer = county.town_a_media
        self.village_officer = staff("a1_media", Role.MEDIA_OFFICER, county.village_a1)
        self.other_officer = staff("b1_media", Role.MEDIA_OFFICER, county.village_b1)
        self.round = actions.save_round(county.town_a_admin, county.town_a.pk, round_input())
        for competency, e in zip(self.competencies, self.exams, strict=True):
            actions.set_round_exam(county.town_a_admin, self.round.pk, competency.pk, e.pk)
        if open_round:
            actions.open_round(county.town_a_admin, self.round.pk)
            self.round.refresh_from_db()

    def assessment(self, user):
        return self.round.assessments.get(user=user)

    def sit(self, user, e, *, passed: bool = True, when=None):
        when = when or timezone.now()
        number = Attempt.objects.filter(exam=e, user=user).count() + 1
        return Attempt.objects.create(
            exam=e,
            user=user,
            number=number,
            started_at=when,
            deadline=when + datetime.timedelta(minutes=30),
            submitted_at=when + datetime.timedelta(minutes=10),
            state=Attempt.State.GRADED,
            score=5 if passed else 1,
            max_score=5,
            passed=passed,
        )

    def hand_in(self, user, text="本镇召开主题党日活动，全体党员参加。"):
        return actions.save_task(user, self.assessment(user).pk, text, hand_in=True)
