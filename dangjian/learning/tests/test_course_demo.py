"""The demo county's courses: policy explainers quoting the demo policies, the county course with an article,
a video made by ffmpeg (duration and poster read), a PDF and a quiz, the media officers' course, and a township's
course waiting for review; each published one indexed for the search and passed by someone other than its author."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from dangjian.accounts.models import Role
from dangjian.learning.models import Audience, Course, Lesson, QuestionBank

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", townships=2, policies=4, cases=4, today=None, stdout=out)
    return out.getvalue()


def test_the_demo_courses(demo):
    published = Course.objects.filter(state=Course.State.PUBLISHED)
    explainers = published.filter(title__startswith="政策解读：", audience=Audience.PUBLIC)
    assert explainers.count() >= 1
    for course in explainers:
        first = course.lessons.get(order=1)
        assert "<blockquote>" in first.body and first.body_text
    county_course = published.get(audience=Audience.MEMBERS, offered_to__depth=0)
    kinds = list(county_course.lessons.order_by("order").values_list("kind", flat=True))
    bank = QuestionBank.objects.filter(organization=county_course.organization).exists()  # the bank area's demo
    quiz = [Lesson.Kind.QUIZ] if bank else []
    assert kinds == [Lesson.Kind.ARTICLE, Lesson.Kind.VIDEO, Lesson.Kind.DOCUMENT, *quiz]
    assert ("no question bank, so the county course has no quiz lesson" in demo) is not bank
    video = county_course.lessons.get(kind=Lesson.Kind.VIDEO)
    assert video.duration == pytest.approx(12, abs=0.5) and video.poster
    assert Path(video.video.path).read_bytes()[4:8] == b"ftyp"
    document = county_course.lessons.get(kind=Lesson.Kind.DOCUMENT)
    assert Path(document.document.path).read_bytes()[:5] == b"%PDF-"
    if bank:
        assert county_course.lessons.get(kind=Lesson.Kind.QUIZ).questions.count() == 5
    assert published.filter(audience=Audience.STAFF, staff_role=Role.MEDIA_OFFICER).exists()
    for course in published:
        assert course.search_text and course.published_at
        events = list(course.events.order_by("at", "pk").values_list("kind", "actor"))
        assert [kind for kind, _ in events] == ["created", "submitted", "published"]
        assert events[-1][1] != course.created_by_id
    assert Course.objects.filter(state=Course.State.REVIEWING, organization__depth=1).count() == 1


def test_the_policy_explainers_have_distinct_titles(county):
    from dangjian.learning.demo_courses import _explainers
    from dangjian.tests_support.factories import PolicyFactory

    for issuer in (county.town_a, county.town_b, county.county):
        PolicyFactory(issuer=issuer, title="关于支持返乡入乡创业的若干措施", is_published=True)
    PolicyFactory(issuer=county.town_a, title="关于做好秋冬季防火工作的通知", is_published=True)
    PolicyFactory(issuer=county.town_b, title="关于开展人居环境整治的通知", is_published=True)
    assert _explainers(county.county, county.county_admin, None) == 3
    titles = list(Course.objects.values_list("title", flat=True))
    assert len(titles) == 3 and len(set(titles)) == 3
    assert "政策解读：关于支持返乡入乡创业的若干措施" in titles
