"""The discipline officer's to-do on the console home (issue 11 item 8): a count only, only after the one-time
code (the inbox's own rule), never counting a report the officer may not open; the link lists the same."""

import re

import pytest
from django.urls import reverse

from dangjian.supervision import actions
from dangjian.tests_support.factories import PASSWORD

from .conftest import file_report
from .test_console import sign_in_with_code

pytestmark = pytest.mark.django_db


def _todo_section(client) -> str:
    page = client.get(reverse("console:dashboard")).content.decode()
    return re.search(r'<section class="card todo".*?</section>', page, re.S).group(0)


def test_before_the_one_time_code_the_officer_sees_no_number(client, county, officers):
    file_report(county)
    client.post("/accounts/login/", {"username": "a_officer", "password": PASSWORD})
    section = _todo_section(client)
    assert "输入动态码后可查看新举报" in section
    assert "新举报" in section and not re.search(r"您有 \d+ 件新举报", section)


def test_after_the_code_the_count_of_new_reports_equals_the_filtered_inbox(client, county, officers):
    file_report(county)
    file_report(county, person="李四", what="李四挪用集体资金。")
    file_report(county, person="周纪检", post="镇纪委书记")  # names the officer: goes to the county, not counted
    sign_in_with_code(client, officers.a_officer)
    section = _todo_section(client)
    assert "您有 2 件新举报" in section
    link = re.search(r'<a href="([^"]+)" data-todo="supervision.new"', section).group(1).replace("&amp;", "&")
    inbox = client.get(link)
    assert inbox.status_code == 200 and len(inbox.context["rows"]) == 2


def test_an_officer_excluded_from_a_report_above_does_not_count_it(client, county, officers):
    file_report(county, person="郑纪委", post="县纪委干部")  # at the township; the county officer is excluded
    sign_in_with_code(client, officers.county_officer)
    assert "件新举报" not in _todo_section(client)


def test_reports_being_handled_are_a_line_of_their_own(client, county, officers):
    report, _receipt = file_report(county)
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    from dangjian.supervision import steps

    steps.accept_report(officers.a_officer, opened)
    sign_in_with_code(client, officers.a_officer)
    section = _todo_section(client)
    assert "您有 1 件举报正在办理" in section and "件新举报" not in section


def test_other_roles_see_no_supervision_line(client, county, officers):
    file_report(county)
    client.force_login(county.town_a_admin)
    assert "举报" not in _todo_section(client)
