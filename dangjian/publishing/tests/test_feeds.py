"""RSS 2.0 and Atom feeds: the portal's items (own, pushed down, adopted), absolute links, Shanghai dates."""

import datetime
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.publishing.models import Article, Submission
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_rss_feed_of_a_village_has_its_items_with_absolute_links(client, county):
    published = datetime.datetime(2026, 11, 30, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai
    pushed = f.article(county.town_a, "镇里推送", show_below=True, summary="镇里的摘要", published_at=published)
    own = f.article(county.village_a1, "村里自己的")
    f.article(county.village_a2, "邻村的")
    f.article(county.village_a1, "草稿", state=Article.State.DRAFT)
    response = client.get(reverse("publishing:feed_rss", args=[county.village_a1.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["村里自己的", "镇里推送"]
    first, second = items
    assert first.findtext("link") == f"https://dj.example.gov.cn/o/{county.village_a1.pk}/articles/{own.pk}/"
    assert second.findtext("link") == f"https://dj.example.gov.cn/o/{county.village_a1.pk}/articles/{pushed.pk}/"
    assert second.findtext("pubDate") == "Mon, 30 Nov 2026 09:30:00 +0800"
    assert second.findtext("description") == "来源：中共测试县东城镇委员会。镇里的摘要"
    assert channel.findtext("link").startswith("https://dj.example.gov.cn/o/")


def test_atom_feed_of_a_column_with_an_adopted_item(client, county):
    column = f.column(county.town_a, "news")
    article = f.article(county.village_a1, "村里报送的")
    Submission.objects.create(
        article=article,
        to_organization=county.town_a,
        column=column,
        state=Submission.State.ADOPTED,
        decided_at=timezone.now(),
    )
    f.article(county.town_a, "镇党务", key="party")
    response = client.get(reverse("publishing:feed_column_atom", args=[county.town_a.pk, column.pk]))
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["村里报送的"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"https://dj.example.gov.cn/o/{county.town_a.pk}/articles/{article.pk}/"
    updated = datetime.datetime.fromisoformat(entries[0].findtext(f"{ATOM}updated"))
    assert updated.utcoffset() == zoneinfo.ZoneInfo("Asia/Shanghai").utcoffset(updated.replace(tzinfo=None))


def test_feeds_of_an_empty_portal_and_of_a_column_elsewhere(client, county):
    for name in ("publishing:feed_rss", "publishing:feed_atom"):
        response = client.get(reverse(name, args=[county.village_b1.pk]))
        assert response.status_code == 200
        ET.fromstring(response.content)
    other = f.column(county.town_b, "news")
    assert client.get(reverse("publishing:feed_column_rss", args=[county.town_a.pk, other.pk])).status_code == 404
    assert client.get(reverse("publishing:feed_rss", args=[999999])).status_code == 404


def test_portal_pages_announce_their_feeds(client, county):
    column = f.column(county.village_a1, "news")
    html = client.get(reverse("publishing:column", args=[county.village_a1.pk, column.pk])).content.decode()
    rss = reverse("publishing:feed_column_rss", args=[county.village_a1.pk, column.pk])
    assert '<link rel="alternate" type="application/rss+xml"' in html and rss in html
