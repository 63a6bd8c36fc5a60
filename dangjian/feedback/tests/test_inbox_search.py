"""The inbox's search box: by tracking number, by the caller's phone, by words; never beyond the user's scope."""

import re

import pytest
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.feedback import actions
from dangjian.tests_support import factories as f

from .conftest import new_case

pytestmark = pytest.mark.django_db

INBOX = reverse("console:feedback_inbox")


def _rows(html: str) -> list[str]:
    """The titles of the cases listed in the inbox table."""
    return re.findall(r'<a href="/console/feedback/\d+/">([^<]*)</a>', html)


def _search(client, q, **params) -> str:
    response = client.get(INBOX, {"view": "all", "q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cases(county):
    return {
        "lamp": new_case(county.village_a1, title="村口路灯坏了", contact_phone="13912345678"),
        "road": new_case(county.village_a1, title="村里道路积水", description="下雨后道路积水，出行不便。"),
        "lamp2": new_case(county.village_a2, title="路灯不亮", description="小学门前的路灯晚上不亮。"),
        "other": new_case(
            county.village_b1,
            title="石桥村路灯坏了",
            description="石桥村的路灯坏了。",
            contact_phone="13700001111",
        ),
    }


def test_finds_a_case_by_its_tracking_number_with_spaces_or_dashes(client, county, cases):
    client.force_login(county.town_a_admin)
    number = cases["road"].number
    assert _rows(_search(client, number)) == ["村里道路积水"]
    spaced = f"{number[:6]} {number[6:]}"
    assert _rows(_search(client, spaced)) == ["村里道路积水"]
    assert _rows(_search(client, f"{number[:6]}-{number[6:]}")) == ["村里道路积水"]


def test_finds_cases_by_the_callers_phone_written_with_spaces(client, county, cases):
    client.force_login(county.town_a_admin)
    html = _search(client, "139 1234 5678")
    assert _rows(html) == ["村口路灯坏了"]
    assert "找到 1 件" in html
    assert _rows(_search(client, "139-1234-5678")) == ["村口路灯坏了"]


def test_finds_cases_by_words_of_title_or_text_and_every_word_is_required(client, county, cases):
    client.force_login(county.town_a_admin)
    assert sorted(_rows(_search(client, "路灯"))) == ["村口路灯坏了", "路灯不亮"]
    assert _rows(_search(client, "路灯 小学")) == ["路灯不亮"]  # 小学 only in that case's text
    assert _rows(_search(client, "道路积水")) == ["村里道路积水"]
    html = _search(client, "路灯 积水")
    assert _rows(html) == []
    assert "没有找到。可按受理编号、来电号码或标题中的词语查找。" in html


def test_another_townships_case_is_never_found_even_by_number_or_phone(client, county, cases):
    client.force_login(county.town_a_admin)
    other = cases["other"]
    assert _rows(_search(client, other.number)) == []
    assert _rows(_search(client, "137 0000 1111")) == []
    assert "石桥村路灯坏了" not in _search(client, "石桥村 路灯")
    # A village secretary sees only the village's own cases.
    client.force_login(f.staff("a2_sec", Role.SECRETARY, county.village_a2))
    assert _rows(_search(client, cases["lamp"].number)) == []
    assert _rows(_search(client, "路灯")) == ["路灯不亮"]


def test_search_combines_with_views_and_filters_and_pagination_keeps_it(client, county, cases):
    actions.accept_case(county.village_a1_secretary, cases["lamp"].pk)
    client.force_login(county.town_a_admin)
    html = _search(client, "路灯", state="received")
    assert _rows(html) == ["路灯不亮"]
    assert 'value="路灯"' in html  # the box keeps its value
    assert "q=%E8%B7%AF%E7%81%AF" in html  # the tabs and export link carry the query
    response = client.get(INBOX, {"view": "todo", "q": "路灯"})
    assert sorted(_rows(response.content.decode())) == ["村口路灯坏了", "路灯不亮"]


def test_pagination_links_keep_the_query(client, county):
    for index in range(32):
        new_case(county.village_a1, title=f"路灯坏了第{index}处")
    new_case(county.village_a1, title="道路积水", description="下雨后道路积水。")
    client.force_login(county.town_a_admin)
    html = _search(client, "路灯")
    assert "找到 32 件" in html
    assert len(_rows(html)) == 30
    next_link = re.search(r'href="\?([^"]*)" rel="next"', html).group(1)
    assert "q=%E8%B7%AF%E7%81%AF" in next_link.split("&amp;") and "page=2" in next_link.split("&amp;")
    second = client.get(INBOX, {"view": "all", "q": "路灯", "page": 2}).content.decode()
    assert len(_rows(second)) == 2


def test_search_reads_a_bounded_number_of_queries(client, county, django_assert_max_num_queries):
    for index in range(12):
        new_case(county.village_a1, title=f"路灯坏了第{index}处", contact_phone="13912345678")
    for _index in range(3):
        new_case(county.village_a1, title="道路积水", description="下雨后道路积水。", contact_phone="13800000000")
    client.force_login(county.town_a_admin)
    _search(client, "路灯")  # warm caches (session, menu)
    for q in ("路灯", "139 1234 5678"):
        with django_assert_max_num_queries(20):
            html = _search(client, q)
        assert len(_rows(html)) == 12


@pytest.mark.parametrize(
    "q",
    [
        '"路灯" OR *',
        "路灯 AND NOT (积水",
        "<script>alert(1)</script>",
        "；，。！？",
        "'; DROP TABLE feedback_case; --",
        "灯",
        "x" * 500,
        "路灯" * 80,
        "\x00路灯",
        "123",
    ],
)
def test_odd_input_is_never_a_server_error(client, county, cases, q):
    client.force_login(county.town_a_admin)
    response = client.get(INBOX, {"view": "all", "q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'type="search" name="q"' in html  # the box is there, with the query (escaped) or empty
    assert "石桥村路灯坏了" not in html


def test_script_input_is_shown_escaped_and_a_long_query_is_cut(client, county, cases):
    client.force_login(county.town_a_admin)
    html = _search(client, "<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = _search(client, "路灯" + "啊" * 300)
    assert 'value="路灯' + "啊" * 98 + '"' in html
    assert "路灯" in html


def test_single_character_is_matched_inside_words(client, county, cases):
    client.force_login(county.town_a_admin)
    assert sorted(_rows(_search(client, "灯"))) == ["村口路灯坏了", "路灯不亮"]
