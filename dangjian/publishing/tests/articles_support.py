"""Helpers of the article tests: a second township reviewer, pictures, and the input of a typical article."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.accounts.models import Role
from dangjian.publishing.articles import ArticleInput
from dangjian.publishing.models import Column
from dangjian.tests_support import factories as f


def secretary(county):
    """A second person who may review at 东城镇 (初审 and 终审), besides its administrator."""
    return f.staff("town_a_secretary", Role.SECRETARY, county.town_a)


def news(organization) -> Column:
    return Column.objects.get(organization=organization, key="news")


def article_input(organization, **overrides) -> ArticleInput:
    values = {
        "title": "东城镇开展冬季送温暖活动",
        "column_id": news(organization).pk,
        "body": "<div>镇党委组织党员干部走访困难群众，送去<strong>米面油</strong>。</div>",
        "summary": "走访困难群众 120 户。",
        "source": "东城镇党委办公室",
        "author": "张明",
    }
    values.update(overrides)
    return ArticleInput(**values)


def jpeg(name: str = "photo.jpg", size=(640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())
