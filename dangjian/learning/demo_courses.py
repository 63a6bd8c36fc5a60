"""The demo county's courses (called by learning/demo.py in its order, after the question bank):

- policy explainers built from the county's demo policies (public; article lessons quoting the policy's text);
- the county's course for every branch (party members): an article, a video made by ffmpeg from a test pattern
  (skipped, with a line saying so, when ffmpeg is missing), a PDF made with WeasyPrint and a quiz of five questions
  from the bank (no quiz when there is no bank);
- a course for the new-media officers (staff holding that role);
- a township's course waiting for review (the township administrator's to-do line).

Written directly (the demo has no one at the keyboard), with the steps a real course has (CourseEvent).
"""

from __future__ import annotations

import datetime
import html
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone

from dangjian.accounts.models import Role, User
from dangjian.core.richtext import clean, text_of
from dangjian.core.text import index_text
from dangjian.organizations.models import Organization

from . import media
from .course_actions import course_text
from .models import Audience, Course, CourseEvent, Lesson, Question, QuestionBank

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

EXPLAINERS = 3

VIDEO_COMMAND = [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=duration=12:size=640x360:rate=25",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=12",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    "-movflags",
    "+faststart",
]

PDF_HTML = """<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; }
body { font-family: 'WenQuanYi Micro Hei', sans-serif; font-size: 12pt; line-height: 1.7; }
h1 { font-size: 18pt; text-align: center; }
</style></head><body>
<h1>基层党员学习手册（节选）</h1>
<h2>一、党员的八项义务</h2>
<p>认真学习马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想，
学习党的路线、方针、政策和决议，学习党的基本知识，学习科学、文化、法律和业务知识，努力提高为人民服务的本领。</p>
<h2>二、按期交纳党费</h2>
<p>交纳党费是党员对党组织应尽的义务，是党员党性观念的重要体现。党员应当按月交纳党费，因特殊情况不能按月交纳的，经党支部同意可以补交。</p>
<h2>三、参加组织生活</h2>
<p>党员应当参加所在党支部的“三会一课”和主题党日，不能参加的应事先向党支部请假。</p>
</body></html>"""

ARTICLE = (
    "<h1>为什么要学</h1><div>党章是党的根本大法，是全党必须共同遵守的根本行为规范。"
    "学习党章，是每一名党员的基本功。</div>"
    "<h1>怎么学</h1><ul><li>每次主题党日学一章；</li><li>对照党员义务查找差距；</li>"
    "<li>把学到的用到为群众办实事中。</li></ul>"
)

MEDIA_LESSONS = [
    (
        "发布前的“三审”",
        "<div>每篇稿件发布前须经初审、复审和终审。初审看事实和文字，复审看导向，终审由分管负责同志把关。</div>"
        "<div>涉及群众个人信息的，一律隐去姓名和手机号。</div>",
    ),
    (
        "拍好一张会议照片",
        "<div>会议照片要拍全景，也要拍发言人近景；避免只拍主席台。照片中出现群众的，发布前征得本人同意。</div>",
    ),
]


def _paragraphs(text: str, limit: int = 3) -> list[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[:limit]


def _publish(course: Course, author, reviewer, *, days_ago: int = 0) -> None:
    now = timezone.now() - datetime.timedelta(days=days_ago)
    course.state = Course.State.PUBLISHED
    course.published_at = now
    course.search_text = index_text(course_text(course))
    course.save(update_fields=["state", "published_at", "search_text"])
    CourseEvent.objects.bulk_create(
        [
            CourseEvent(
                course=course, kind=CourseEvent.Kind.CREATED, actor=author, at=now - datetime.timedelta(days=2)
            ),
            CourseEvent(
                course=course, kind=CourseEvent.Kind.SUBMITTED, actor=author, at=now - datetime.timedelta(days=1)
            ),
            CourseEvent(course=course, kind=CourseEvent.Kind.PUBLISHED, actor=reviewer, at=now),
        ]
    )


def _article(course: Course, order: int, title: str, body: str) -> Lesson:
    cleaned = clean(body)
    return Lesson.objects.create(
        course=course, order=order, kind=Lesson.Kind.ARTICLE, title=title, body=cleaned, body_text=text_of(cleaned)
    )


def _explainers(county: Organization, author, reviewer) -> int:
    from dangjian.policies.models import Policy

    made = 0
    chosen: list = []
    titles: set[str] = set()
    for policy in (
        Policy.objects.filter(issuer__path__startswith=county.path, is_published=True, superseded=False)
        .exclude(body="")
        .select_related("issuer")
        .order_by("issuer__depth", "-issued_on", "pk")
    ):
        if policy.title not in titles:  # townships issue policies of the same title: one explainer per title
            titles.add(policy.title)
            chosen.append(policy)
        if len(chosen) == EXPLAINERS:
            break
    for n, policy in enumerate(chosen):
        course = Course.objects.create(
            organization=county,
            offered_to=county,
            audience=Audience.PUBLIC,
            title=f"政策解读：{policy.title}"[:100],
            summary=f"用几分钟读懂《{policy.title}》的要点：适用对象、主要内容和办理方式。"[:300],
            created_by=author,
        )
        quoted = "".join(f"<blockquote>{html.escape(line)}</blockquote>" for line in _paragraphs(policy.body))
        _article(
            course,
            1,
            "政策原文要点",
            f"<div>以下摘自{html.escape(policy.issuer.name)}印发的《{html.escape(policy.title)}》：</div>{quoted}",
        )
        _article(
            course,
            2,
            "常见问题",
            "<div>问：这项政策从什么时候开始执行？</div>"
            f"<div>答：自{policy.effective_on:%Y年%m月%d日}起执行，具体以原文为准。</div>"
            "<div>问：有疑问找谁？</div><div>答：可以向所在村（社区）党组织或乡镇便民服务中心咨询。</div>",
        )
        _publish(course, author, reviewer, days_ago=10 + n)
        made += 1
    return made


def _video_lesson(course: Course, order: int, lines: list[str]) -> None:
    tool = media._tool(settings.FFMPEG)
    if tool is None:
        lines.append("Courses: ffmpeg is missing, so the demo course has no video lesson.")
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "demo.mp4"
        try:
            subprocess.run([tool, *VIDEO_COMMAND, str(out)], check=True, capture_output=True, timeout=120)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            lines.append("Courses: ffmpeg could not make the demo video, so the demo course has no video lesson.")
            return
        found = media.probe(str(out))
        duration = found.duration if found else None
        poster = media.make_poster(str(out), duration)
        lesson = Lesson(
            course=course,
            order=order,
            kind=Lesson.Kind.VIDEO,
            title="视频：三分钟了解主题党日",
            video_type=media.MP4,
            video_size=out.stat().st_size,
            duration=duration,
        )
        with out.open("rb") as video:
            lesson.video.save(f"{uuid.uuid4().hex}.mp4", File(video), save=False)
        if poster:
            lesson.poster.save(f"{uuid.uuid4().hex}.jpg", ContentFile(poster), save=False)
        lesson.save()


def _document_lesson(course: Course, order: int) -> None:
    from weasyprint import HTML

    data = HTML(string=PDF_HTML).write_pdf()
    lesson = Lesson(
        course=course,
        order=order,
        kind=Lesson.Kind.DOCUMENT,
        title="学习手册（PDF）",
        document_name="基层党员学习手册（节选）.pdf",
        document_size=len(data),
    )
    lesson.document.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    lesson.save()


def _quiz_lesson(course: Course, order: int, county: Organization) -> bool:
    bank = QuestionBank.objects.filter(organization=county).order_by("pk").first()
    questions = list(Question.objects.filter(bank=bank).order_by("pk")[:5]) if bank else []
    if not questions:
        return False
    lesson = Lesson.objects.create(course=course, order=order, kind=Lesson.Kind.QUIZ, title="随堂测验", pass_percent=60)
    lesson.questions.set(questions)
    return True


def load(ctx: DemoContext) -> list[str]:
    county = Organization.objects.filter(parent=None).order_by("pk").first()
    if county is None:
        return []
    lines: list[str] = []
    author = User.objects.filter(username="county_admin").first()
    reviewer = User.objects.filter(is_superuser=True).order_by("pk").first()
    explainers = _explainers(county, author, reviewer)

    # The county's course for every branch.
    course = Course.objects.create(
        organization=county,
        offered_to=county,
        audience=Audience.MEMBERS,
        title="新时代基层党员必修课：学党章、守党规",
        summary="全县党员的必修课：一篇导读、一段视频、一本学习手册和一次随堂测验。",
        created_by=author,
    )
    _article(course, 1, "导读：为什么要学党章", ARTICLE)
    order = 2
    before = course.lessons.count()
    _video_lesson(course, order, lines)
    order += course.lessons.count() - before
    _document_lesson(course, order)
    order += 1
    if not _quiz_lesson(course, order, county):
        lines.append("Courses: no question bank, so the county course has no quiz lesson.")
    _publish(course, author, reviewer, days_ago=5)

    # The new-media officers' course.
    staff_course = Course.objects.create(
        organization=county,
        offered_to=county,
        audience=Audience.STAFF,
        staff_role=Role.MEDIA_OFFICER,
        title="新媒体工作人员入门：发布规范与拍摄要点",
        summary="给各乡镇、村新媒体工作人员：稿件审核、个人信息保护和会议拍摄。",
        created_by=author,
    )
    for n, (title, body) in enumerate(MEDIA_LESSONS, start=1):
        _article(staff_course, n, title, body)
    _publish(staff_course, author, reviewer, days_ago=3)

    # A township's course waiting for its administrator's review.
    township = Organization.objects.filter(parent=county).order_by("path").first()
    writer = User.objects.filter(username="town_media").first()
    if township is not None:
        waiting = Course.objects.create(
            organization=township,
            offered_to=township,
            audience=Audience.MEMBERS,
            state=Course.State.REVIEWING,
            title="人居环境整治：党员怎么带头",
            summary="门前三包、垃圾分类，党员先行。",
            created_by=writer,
        )
        _article(waiting, 1, "党员带头做什么", "<div>每名党员联系十户群众，带头清理房前屋后。</div>")
        CourseEvent.objects.bulk_create(
            [
                CourseEvent(course=waiting, kind=CourseEvent.Kind.CREATED, actor=writer),
                CourseEvent(course=waiting, kind=CourseEvent.Kind.SUBMITTED, actor=writer),
            ]
        )
    lines.append(
        f"Courses: {explainers} policy explainers, the county course for every branch, a media officers' course."
    )
    return lines
