"""The demo county's assessments (called by learning/demo.py in its order, last).

The first township (town_media's and town_admin's) ran a round last month for the new-media officers of its
subtree: town_media and four village officers (made here, without a password). An exam per competency of the
county's framework, made on the county's bank: each draws that competency's questions through a Tag named after
the competency (the bank demo sets `Question.competency`; the tag is added here, since an ExamRule draws by tag).
Graded attempts and handed-in tasks: town_media and one village officer passed everything, one failed the policy
exam, one task waits for town_admin's grade, one officer has handed nothing in yet. Every write here is direct
(bulk demo data), shaped as the actions write it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone

from dangjian.accounts.models import Role, RoleGrant, User
from dangjian.organizations.models import Organization

from . import assessment_actions, competencies
from .models import (
    Assessment,
    AssessmentRound,
    Attempt,
    Competency,
    Exam,
    ExamRule,
    Question,
    QuestionBank,
    RoundExam,
    Tag,
)

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

PER_EXAM = 5
RUBRIC: list[dict[str, Any]] = [
    {"criterion": "标题准确，导语交代清楚时间、地点、人物、事件", "points": 30},
    {"criterion": "内容真实准确，政策表述规范", "points": 40},
    {"criterion": "语言简洁，层次清楚", "points": 20},
    {"criterion": "配图合适，无敏感和涉密信息", "points": 10},
]
TASK = (
    "请围绕本村（社区）最近一次主题党日活动，写一篇500字左右的新闻稿，可附两张现场照片，提交前自查有无涉密和个人信息。"
)
WORK = (
    "{org}开展“学党章、守党规”主题党日活动\n\n"
    "本月5日上午，{org}党支部组织全体党员在村党群服务中心开展主题党日活动。支部书记带领大家重温入党誓词，"
    "集中学习了新修订的党章有关内容，并结合村里人居环境整治工作开展讨论。会后，党员志愿者分组清理了村内主干道两侧的垃圾。"
)
VILLAGE_OFFICERS = ["赵晓燕", "孙志强", "周丽", "吴海涛"]


def _county_bank(county: Organization) -> QuestionBank | None:
    """The county's bank with the most questions of a competency (the bank demo's)."""
    return (
        QuestionBank.objects.filter(organization=county, questions__competency__isnull=False)
        .annotate(n=Count("questions"))
        .order_by("-n", "pk")
        .first()
    )


def _fallback_bank(county: Organization, framework: list[Competency]) -> QuestionBank:
    """A small bank when the bank demo made none: twelve true-or-false questions per competency."""
    bank = QuestionBank.objects.create(organization=county, name="新媒体工作人员能力题库")
    rows = [
        Question(
            bank=bank,
            kind=Question.Kind.TRUE_FALSE,
            text=f"{competency.name}：第{n}题，发布前须经本组织规定的审核程序。",
            answer=[True],
            explanation="平台上的稿件按栏目的审核步骤审核后发布。",
            competency=competency,
        )
        for competency in framework
        for n in range(1, 13)
    ]
    Question.objects.bulk_create(rows)
    return bank


def _exams(county: Organization, framework: list[Competency], now) -> dict[int, Exam]:
    bank = _county_bank(county) or _fallback_bank(county, framework)
    exams = {}
    for competency in framework:
        tag, _made = Tag.objects.get_or_create(name=competency.name[:30])
        questions = list(Question.objects.filter(bank=bank, competency=competency, archived_at=None))
        tag.questions.add(*questions)
        exam = Exam.objects.create(
            organization=county,
            competency=competency,
            bank=bank,
            title=f"{competency.name}能力测试",
            instructions="共5题，限时20分钟，答对3题合格；可以考两次。",
            time_limit_minutes=20,
            pass_percent=60,
            max_attempts=2,
            state=Exam.State.OPEN,
            created_at=now - datetime.timedelta(days=60),
        )
        ExamRule.objects.create(exam=exam, tag=tag, count=min(PER_EXAM, max(1, len(questions))), points=1)
        exams[competency.pk] = exam
    return exams


def _officers(ctx: DemoContext, township: Organization) -> list[tuple[User, Organization]]:
    granter = User.objects.filter(is_superuser=True).order_by("pk").first()
    found = []
    town_media = User.objects.filter(username="town_media").first()
    if town_media is not None:
        found.append((town_media, township))
    villages = list(Organization.objects.filter(parent=township).exclude(kind=Organization.Kind.GROUP).order_by("path"))
    for index, name in enumerate(VILLAGE_OFFICERS):
        if not villages:
            break
        village = villages[index % len(villages)]
        user, made = User.objects.get_or_create(
            username=f"media_{township.pk}_{index + 1}",
            defaults={"full_name": f"{village.short_name or village.name} {name}", "personal_name": name},
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        RoleGrant.objects.get_or_create(
            user=user, organization=village, role=Role.MEDIA_OFFICER, defaults={"granted_by": granter}
        )
        found.append((user, village))
    return found


def _sit(exam: Exam, user: User, organization: Organization, when, *, passed: bool) -> Attempt:
    number = Attempt.objects.filter(exam=exam, user=user).count() + 1
    rule = exam.rules.select_related("tag").first()
    drawn = Question.objects.filter(bank=exam.bank, tags=rule.tag) if rule and rule.tag else Question.objects.none()
    paper = [{"q": pk, "order": [], "points": 1} for pk in drawn.values_list("pk", flat=True)[:PER_EXAM]]
    total = len(paper) or PER_EXAM
    score = total if passed else max(0, total // 2 - 1)
    return Attempt.objects.create(
        exam=exam,
        user=user,
        number=number,
        organization=organization,
        paper=paper,
        started_at=when,
        deadline=when + datetime.timedelta(minutes=exam.time_limit_minutes),
        submitted_at=when + datetime.timedelta(minutes=12),
        state=Attempt.State.GRADED,
        score=score,
        max_score=total,
        passed=passed,
    )


def load(ctx: DemoContext) -> list[str]:
    county = Organization.objects.filter(parent=None).order_by("pk").first()
    township = Organization.objects.filter(depth=1).order_by("path").first()
    if county is None or township is None or AssessmentRound.objects.filter(organization=township).exists():
        return []
    framework = competencies.framework_for(township)
    if not framework:
        framework = competencies.create_standard(county)
    now = timezone.now()
    opened = now - datetime.timedelta(days=30)
    exams = _exams(county, framework, now)
    grader = User.objects.filter(username="town_admin").first() or User.objects.filter(is_superuser=True).first()
    round_ = AssessmentRound.objects.create(
        organization=township,
        title=f"{opened.year}年度新媒体工作人员考核",
        year=opened.year,
        task=TASK,
        rubric=RUBRIC,
        task_pass_percent=60,
        due_on=ctx.today + datetime.timedelta(days=14),
        state=AssessmentRound.State.OPEN,
        opened_at=opened,
        created_at=opened - datetime.timedelta(days=3),
    )
    RoundExam.objects.bulk_create([RoundExam(round=round_, competency=c, exam=exams[c.pk]) for c in framework])
    officers = _officers(ctx, township)
    policy = next((c for c in framework if c.name == "政策理论"), framework[-1])
    # (passed every exam but the policy one?, sat the exams?, task: "graded" / "waiting" / "" (nothing), points)
    plans = [
        (True, True, "graded", [27, 36, 18, 9]),
        (True, True, "graded", [25, 33, 16, 8]),
        (False, True, "graded", [24, 30, 15, 8]),
        (True, True, "waiting", []),
        (True, False, "", []),
    ]
    graded = waiting = 0
    for index, ((user, organization), (policy_passed, sat, task, points)) in enumerate(
        zip(officers, plans, strict=False)
    ):
        assessment = Assessment.objects.create(round=round_, user=user, organization=organization)
        day = opened + datetime.timedelta(days=2 + index * 3, hours=2)
        if sat:
            for competency in framework:
                passed = policy_passed or competency.pk != policy.pk
                _sit(exams[competency.pk], user, organization, day, passed=passed)
                if not passed:  # a second try, failed again
                    _sit(exams[competency.pk], user, organization, day + datetime.timedelta(days=2), passed=False)
        if task:
            assessment.task_text = WORK.format(org=organization.short_name or organization.name)
            assessment.state = Assessment.State.SUBMITTED
            assessment.submitted_at = day + datetime.timedelta(days=4)
            waiting += task == "waiting"
        if task == "graded":
            total = sum(line["points"] for line in RUBRIC)
            assessment.rubric_scores = points
            assessment.task_score = sum(points)
            assessment.task_passed = sum(points) * 100 >= round_.task_pass_percent * total
            assessment.comments = "导语要素齐全，内容准确。" if policy_passed else "稿件尚可，政策表述要更规范。"
            assessment.graded_by = grader
            assessment.graded_at = day + datetime.timedelta(days=6)
            assessment.state = Assessment.State.GRADED
            graded += 1
        assessment.save()
        if task == "graded":
            assessment_actions.compute_results(assessment)
    return [f"assessment round of {township.name}: {len(officers)} officers, {graded} graded, {waiting} waiting"]
