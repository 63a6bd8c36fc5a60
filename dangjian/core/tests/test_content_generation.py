"""The content generation that keys the cached public pages lives in the shared cache: a cached page makes no
database query, a change committed anywhere (another worker or server writes the same shared cache) stops the
page being served as it was, and a lost token is made again from the database's counter."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.cache import GENERATION_KEY, bump_content_generation, content_generation, shared_cache
from dangjian.core.models import ContentGeneration

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cached_public_page_makes_no_database_query(client, county):
    url = reverse("orgs:home")
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert [query["sql"] for query in captured.captured_queries] == []


def test_a_change_committed_elsewhere_is_shown_at_once(client, county):
    url = reverse("orgs:home")
    client.get(url)
    county.county.name = "中共测试县委员会（新名）"
    county.county.save()
    assert "（新名）" not in client.get(url).content.decode()  # saved without a bump: the cached page stands
    # Another worker or server bumps after its commit: it writes the same shared cache.
    shared_cache().set(GENERATION_KEY, "another-server-token", timeout=None)
    assert "（新名）" in client.get(url).content.decode()


def test_a_bump_takes_effect_only_after_the_commit_and_each_token_is_new(county):
    before = content_generation()
    with transaction.atomic():
        bump_content_generation()
        assert content_generation() == before  # not committed yet: readers keep the pages they have
    after = content_generation()
    assert after != before
    bump_content_generation()
    assert content_generation() not in {before, after}
    assert ContentGeneration.objects.get(pk=1).value >= 2


def test_a_lost_token_is_made_from_the_database_and_never_overwrites_a_newer_one(county):
    bump_content_generation()
    counted = ContentGeneration.objects.get(pk=1).value
    shared_cache().clear()  # Redis restarted empty
    assert content_generation() == f"db{counted}"
    bump_content_generation()
    newer = shared_cache().get(GENERATION_KEY)
    assert newer != f"db{counted}" and content_generation() == newer
