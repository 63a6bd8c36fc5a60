"""The report form as a frightened villager meets it (issue 11 item 10): nothing chosen for them, kinds that
belong to the discipline, the receiving unit named before sending, name and phone only for a real-name
report (never stored otherwise, whatever is posted), and no technical words on the public pages."""

import re

import pytest
from django.utils.html import strip_tags

from dangjian.supervision import actions
from dangjian.supervision.models import SUBCATEGORIES, Report

pytestmark = pytest.mark.django_db


def _url(county):
    return f"/o/{county.village_a1.pk}/supervision/new/"


def _form(county, **overrides):
    data = {
        "real_name": "0",
        "discipline": "masses",
        "subcategory": "办事推诿刁难",
        "person": "王大海",
        "post": "村主任",
        "organization": county.village_a1.pk,
        "what": "办低保时让我跑了五趟，还要好处费。",
        "false_accusation": "on",
    }
    data.update(overrides)
    return data


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, name
    return match.group(1)


def test_neither_discipline_nor_kind_is_chosen_for_the_reporter(client, county, officers):
    page = client.get(_url(county)).content.decode()
    disciplines = _select(page, "discipline")
    assert disciplines.count("selected") == 1 and '<option value="" selected>请选择</option>' in disciplines
    assert '<option value="" selected>请选择问题类型</option>' in _select(page, "subcategory")


def test_a_report_without_a_discipline_is_refused_with_a_chinese_message(client, county, officers):
    response = client.post(_url(county), _form(county, discipline="", subcategory=""))
    assert response.status_code == 400
    text = response.content.decode()
    assert "请选择违反了哪方面的纪律" in text and "请选择问题类型" in text
    assert Report.objects.count() == 0


def test_disciplines_and_kinds_in_everyday_words_come_first(client, county, officers):
    page = client.get(_url(county)).content.decode()
    labels = re.findall(r'<option value="(\w+)">([^<]+)</option>', _select(page, "discipline"))
    assert [value for value, _label in labels][:2] == ["masses", "integrity"]
    assert labels[0][1].startswith("群众纪律：办事推诿刁难")
    assert SUBCATEGORIES["integrity"][0] == "吃拿卡要"
    kinds = _select(page, "subcategory")
    assert kinds.index('label="群众纪律"') < kinds.index('label="政治纪律"')


def test_every_discipline_has_exactly_one_other_kind_and_it_comes_last():
    for names in SUBCATEGORIES.values():
        assert names.count("其他") == 1 and names[-1] == "其他"


def test_a_kind_posted_under_another_discipline_is_still_refused(client, county, officers):
    response = client.post(_url(county), _form(county, discipline="masses", subcategory="拉票贿选"))
    assert response.status_code == 400
    assert "“拉票贿选”属于组织纪律" in response.content.decode()
    assert Report.objects.count() == 0


def test_the_kinds_of_each_discipline_travel_with_the_page_for_the_script(client, county, officers):
    page = client.get(_url(county)).content.decode()
    assert 'id="report-kinds"' in page and "supervision/report.js" in page
    assert re.search(r'"masses": \["\\u529e', page) or '"masses": ["办事推诿刁难"' in page


def test_the_form_names_the_unit_that_will_receive_the_report(client, county, officers):
    page = client.get(_url(county)).content.decode()
    recipient = re.search(r'data-testid="recipient"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert strip_tags(recipient) == f"将送达：{county.town_a.short_name or county.town_a.name}纪委"
    # Every place offered carries its receiving unit, so a change of place needs no request.
    assert f'"{county.village_b1.pk}": "{county.town_b.short_name or county.town_b.name}纪委"' in page.encode(
        "ascii", "backslashreplace"
    ).decode("unicode_escape")


def test_the_unit_named_for_a_posted_place_is_the_one_routing_picks(client, county, officers):
    response = client.post(_url(county), _form(county, organization=county.village_b1.pk, what=""))
    assert response.status_code == 400
    recipient = re.search(r'data-testid="recipient"[^>]*>(.*?)</p>', response.content.decode(), re.S).group(1)
    assert strip_tags(recipient) == f"将送达：{county.town_b.short_name or county.town_b.name}纪委"


def test_the_page_after_sending_names_the_unit_that_received_it(client, county, officers):
    response = client.post(_url(county), _form(county))
    assert response.status_code == 200
    report = Report.objects.get()
    shown = re.search(r'<dd data-testid="recipient">(.*?)</dd>', response.content.decode()).group(1)
    assert shown == f"{report.receiving_unit.short_name or report.receiving_unit.name}纪委"


def test_a_place_with_no_unit_online_says_so_instead_of_a_unit(client, county):
    # No officer has made keys yet: nothing above can receive reports online.
    page = client.get(_url(county)).content.decode()
    recipient = re.search(r'data-testid="recipient"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "暂未开通网上受理" in strip_tags(recipient)


def test_name_and_phone_fields_are_marked_as_real_name_only(client, county, officers):
    page = client.get(_url(county)).content.decode()
    assert page.count("data-real-name-only") == 2
    assert "您的姓名（仅实名举报）" in page and "您的电话（仅实名举报）" in page


def test_an_anonymous_report_never_stores_a_name_or_phone_even_when_posted(client, county, officers):
    """An attacker (or a careless browser) posts name and phone with an anonymous report."""
    response = client.post(
        _url(county), _form(county, real_name="0", reporter_name="刘明", reporter_phone="13812345678")
    )
    assert response.status_code == 200
    report = Report.objects.get()
    assert not report.real_name
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert opened.payload["reporter"] is None
    assert "刘明" not in str(opened.payload) and "13812345678" not in str(opened.payload)


def test_the_filing_action_itself_drops_a_name_given_with_an_anonymous_report(county, officers):
    from .conftest import file_report

    report, _receipt = file_report(county, real_name=False, reporter_name="刘明", reporter_phone="13812345678")
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert opened.payload["reporter"] is None


def test_a_real_name_report_keeps_the_name_and_phone(client, county, officers):
    response = client.post(
        _url(county), _form(county, real_name="1", reporter_name="刘明", reporter_phone="13812345678")
    )
    assert response.status_code == 200
    report = Report.objects.get()
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert opened.payload["reporter"] == {"name": "刘明", "phone": "13812345678"}


TECHNICAL_WORDS = re.compile(r"cookie|session|token|hash|\bIP\b|IP地址|UUID|JavaScript|浏览器缓存", re.I)


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return strip_tags(html)


def test_no_technical_words_on_the_reporters_pages(client, county, officers):
    pages = [
        client.get(f"/o/{county.village_a1.pk}/supervision/"),
        client.get(_url(county)),
        client.post(_url(county), _form(county, what="")),
        client.get("/supervision/follow/"),
    ]
    submitted = client.post(_url(county), _form(county))
    pages.append(submitted)
    receipt = re.sub(
        r"<[^>]+>|\s", "", re.search(r'data-testid="receipt"[^>]*>(.*?)</dd>', submitted.content.decode()).group(1)
    )
    pages.append(client.post("/supervision/follow/", {"receipt": receipt}))
    pages.append(client.post("/supervision/follow/", {"receipt": "1234"}))
    for response in pages:
        text = _visible(response.content.decode())
        assert not TECHNICAL_WORDS.search(text), (response.request["PATH_INFO"], TECHNICAL_WORDS.search(text))


def test_missing_person_facts_or_declaration_say_what_to_do(client, county, officers):
    response = client.post(_url(county), _form(county, person="", what="", false_accusation=""))
    page = strip_tags(response.content.decode())
    assert response.status_code == 400 and not Report.objects.exists()
    for message in ("请写被举报人的姓名或职务。", "请写具体情况。", "请确认以上声明。"):
        assert message in page
    assert "这个字段是必填项" not in page
