"""Wording staff met in their first week (issue 11 item 14): every visible string in plain Chinese."""

import pytest
from django.urls import reverse

from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def test_the_new_policy_form_asks_to_choose_in_chinese(client, county):
    client.force_login(county.county_admin)
    page = client.get(reverse("console:policy_new", args=[county.county.pk])).content.decode()
    assert "Select an option" not in page and '<option value="" selected>请选择</option>' in page
    assert "- 请选择 -" not in page and "---" not in page


def test_the_blank_of_a_supervision_step_select_says_choose():
    from dangjian.supervision.forms import StepForm

    forward = str(StepForm(action="forward", lower_units=[(1, "东城镇纪委")])["lower_unit"])
    dispose = str(StepForm(action="dispose")["disposal"])
    for select in (forward, dispose):
        assert '<option value="" selected>请选择</option>' in select and "—" not in select


def test_a_leaders_name_is_labelled_as_a_persons_name(client, county):
    f.TermFactory(organization=county.village_a1)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:leader_new", args=[county.village_a1.pk])).content.decode()
    assert '<label for="id_name">姓名' in page


def test_the_same_working_day_is_said_as_such(client, county):
    client.force_login(county.county_admin)
    limits = client.get(reverse("console:feedback_limits")).content.decode()
    assert "当个工作日" not in limits and "0 表示当日。" in limits


def test_the_figures_tables_head_their_counts_as_counts(client, county):
    page = client.get(reverse("feedback:figures", args=[county.county.pk])).content.decode()
    assert "受理件数" in page and "答复件数" in page
    assert "受理时间" not in page and "答复时间" not in page


def test_the_report_follow_up_button_says_look_up(client, county):
    page = client.get(reverse("supervision:follow")).content.decode()
    assert '<button type="submit">查询</button>' in page and "打开" not in page


def test_the_missing_calendar_year_warning_goes_only_to_who_can_enter_it(client, county):
    """Issue 11 item 8: the county's settings administrators are told; a village secretary is not."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2099, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(county.county_admin)
        admin_inbox = client.get(reverse("console:feedback_inbox")).content.decode()
        client.force_login(county.village_a1_secretary)
        secretary_inbox = client.get(reverse("console:feedback_inbox")).content.decode()
    assert "2099" in admin_inbox and "节假日" in admin_inbox
    assert "2099" not in secretary_inbox and 'role="alert"' not in secretary_inbox
