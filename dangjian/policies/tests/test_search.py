"""Chinese full-text search: words of 2, 3 and 4+ characters, mixed text, nothing found, syntax."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.policies.models import Policy
from dangjian.policies.search import IndexRankedMatches, parse_query
from dangjian.tests_support.factories import PolicyFactory, category

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def library(county):
    make = PolicyFactory
    return {
        "pension": make(
            issuer=county.county,
            title="关于做好2025年城乡居民基本养老保险参保缴费工作的通知",
            body="城乡居民基本养老保险个人缴费标准设为每年200元至5000元。",
        ),
        "homestead": make(
            issuer=county.town_a,
            title="农村宅基地审批管理办法",
            category=category("housing"),
            body="农户申请宅基地应向村集体经济组织提出书面申请，乡镇在20个工作日内审批。",
        ),
        "dibao": make(
            issuer=county.county,
            title="关于调整城乡最低生活保障标准的通知",
            category=category("social-assistance"),
            body="低保标准统一提高至每人每月1050元，低保对象按月发放。",
        ),
        "maternity": make(
            issuer=county.county,
            title="关于完善生育保险待遇保障的实施意见",
            category=category("medical-security"),
            body="生育保险待遇包括生育医疗费用和生育津贴。",
        ),
        "elderly": make(
            issuer=county.village_a1,
            title="王庄村居家养老服务点管理办法",
            category=category("elderly-care"),
            body="依托党群服务中心为老年人提供助餐服务。",
        ),
        "other_town": make(
            issuer=county.town_b, title="西山乡养老保险宣传月活动方案", body="组织开展养老保险政策宣传。"
        ),
    }


def search(client, org, q, **params):
    response = client.get(reverse("policies:list", args=[org.pk]), {"q": q, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return [item["policy"].title for item in response.context["results"]]


def test_two_character_word_finds_longer_compound(client, county, library):
    found = titles(search(client, county.village_a1, "养老"))
    assert library["pension"].title in found
    assert library["elderly"].title in found


def test_two_character_word_in_body_only(client, county, library):
    assert titles(search(client, county.village_a1, "低保")) == [library["dibao"].title]


def test_three_character_word(client, county, library):
    assert titles(search(client, county.village_a1, "宅基地")) == [library["homestead"].title]


def test_four_character_phrase(client, county, library):
    assert titles(search(client, county.village_a1, "养老保险")) == [library["pension"].title]


def test_four_character_phrase_not_split_by_jieba(client, county, library):
    """生育保险 comes from the policy dictionary, so it does not match every 保险 document."""
    assert titles(search(client, county.village_a1, "生育保险")) == [library["maternity"].title]


def test_two_words_with_space_must_both_match(client, county, library):
    assert titles(search(client, county.village_a1, "宅基地 审批")) == [library["homestead"].title]


def test_mixed_chinese_and_digits(client, county, library):
    assert titles(search(client, county.village_a1, "2025年 养老保险")) == [library["pension"].title]


def test_mixed_chinese_and_latin_letters_is_not_an_error(client, county, library):
    response = search(client, county.village_a1, "PDF版 低保")
    assert "找到" in response.content.decode() or "未找到" in response.content.decode()


def test_search_only_covers_policies_that_apply_to_the_portal(client, county, library):
    assert library["other_town"].title not in titles(search(client, county.village_a1, "养老保险"))
    assert library["other_town"].title in titles(search(client, county.town_b, "养老保险"))


def test_results_are_ranked_title_match_first(client, county, library):
    PolicyFactory(
        issuer=county.county,
        title="关于做好春耕工作的通知",
        body="文中顺带提到低保一词。",
        issued_on=timezone.localdate(),
    )
    found = titles(search(client, county.village_a1, "低保"))
    assert found[0] == library["dibao"].title  # title and body beat body only, though older


def test_matches_are_highlighted(client, county, library):
    html = search(client, county.village_a1, "宅基地").content.decode()
    assert "农村<mark>宅基地</mark>审批管理办法" in html


def test_nothing_found_says_so(client, county, library):
    response = search(client, county.village_a1, "核电站")
    assert titles(response) == []
    assert "未找到" in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '养老"',
        "*",
        "养老*",
        "OR",
        "养老 OR 低保",
        "AND NOT",
        "(((",
        "养老)",
        "[低保]",
        "NEAR(养老 保险)",
        "'; DROP TABLE policies_policy; --",
        "^",
        "低保 -养老",
        ":",
        "\\",
        "%",
        "_",
        "　",
        "养老\x00保险",
    ],
)
def test_special_characters_never_cause_a_server_error(client, county, library, q):
    response = client.get(reverse("policies:list", args=[county.village_a1.pk]), {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    # The library page with its search box, and still only the policies that apply here.
    assert 'type="search" name="q"' in html and 'role="status"' in html
    assert library["other_town"].title not in html


def test_operator_words_are_searched_as_words(client, county, library):
    assert titles(search(client, county.village_a1, "养老 OR 低保")) == []


def test_filters_are_kept_while_searching(client, county, library, today):
    PolicyFactory(
        issuer=county.county,
        title="已废止的低保办法",
        category=category("social-assistance"),
        issued_on=today - datetime.timedelta(days=900),
        effective_on=today - datetime.timedelta(days=900),
        expires_on=today - datetime.timedelta(days=100),
        body="低保",
    )
    response = search(client, county.village_a1, "低保", status="in_force", category="social-assistance")
    assert titles(response) == [library["dibao"].title]
    html = response.content.decode()
    assert 'value="in_force" selected' in html
    assert 'value="social-assistance" selected' in html


def test_very_long_query_is_cut_not_refused(client, county, library):
    response = client.get(reverse("policies:list", args=[county.village_a1.pk]), {"q": "养老" * 5000})
    assert response.status_code == 200
    # Cut to its first 100 characters, kept in the search box and searched like "养老".
    html = response.content.decode()
    assert f'name="q" value="{"养老" * 50}"' in html and "养老" * 51 not in html
    assert "找到 2 条与“" in html
    assert titles(response) == titles(search(client, county.village_a1, "养老"))
    assert set(titles(response)) == {library["pension"].title, library["elderly"].title}


def test_query_parsing_drops_punctuation():
    parsed = parse_query("“养老保险” OR (低保")
    assert parsed.terms == ["养老保险", "or", "低保"]


def test_drafts_are_neither_found_nor_counted(client, county, library):
    PolicyFactory(issuer=county.county, title="尚未公开的低保调整草案", is_published=False, body="低保")
    response = search(client, county.village_a1, "低保")
    assert titles(response) == [library["dibao"].title]
    assert response.context["page"].paginator.count == 1


def test_search_results_are_paged_without_gaps_or_repeats(client, county):
    for n in range(25):
        PolicyFactory(issuer=county.county, title=f"关于低保工作的第{n}号通知", body="低保")
    first = search(client, county.village_a1, "低保")
    second = search(client, county.village_a1, "低保", page=2)
    beyond = search(client, county.village_a1, "低保", page=99)
    assert first.context["page"].paginator.count == 25
    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert len(set(titles(first)) | set(titles(second))) == 25
    assert titles(beyond) == titles(second)  # a page past the end shows the last page


def test_index_ranked_matches_read_as_a_sequence_of_policies(county, library):
    """What the paginator is typed to take: length, iteration and an index agree with the ranked slices."""
    parsed = parse_query("养老")
    if connection.vendor != "sqlite":
        assert not IndexRankedMatches.usable(parsed)  # PostgreSQL ranks with search.search instead
        return
    place = county.village_a1
    matches = IndexRankedMatches(Policy.objects.published().applicable_to(place), parsed, place.ancestor_ids)
    ranked = matches[0:10]
    assert {policy.title for policy in ranked} == {library["pension"].title, library["elderly"].title}
    assert len(matches) == matches.count() == 2
    assert list(matches) == ranked
    assert [matches[0], matches[1]] == ranked
    with pytest.raises(IndexError):
        matches[2]
