"""Fewer steps (issue 11 item 9): an organization with no units below it accepts and handles a case in one
step; reply templates fill the answer box without JavaScript, keeping what was typed."""

import pytest
from django.urls import reverse

from dangjian.feedback import actions, workflow
from dangjian.feedback.models import Case, ReplyTemplate, State
from dangjian.tests_support import factories as f

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _step(client, user, case, step, **data):
    client.force_login(user)
    return client.post(reverse("console:feedback_step", args=[case.pk, step]), {"version": case.version, **data})


def test_a_village_secretary_accepts_and_handles_in_one_step_and_the_history_says_so(client, county):
    case = new_case(county.village_a1)
    response = _step(client, county.village_a1_secretary, case, "accept_handle", urgent="on")
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.IN_PROGRESS
    assert case.lead_org == county.village_a1 and case.handling_org == county.village_a1
    assert case.accepted_at is not None and case.urgent
    assert case.answer_deadline <= case.accepted_at.replace(hour=23, minute=59, second=59) or case.urgent
    events = list(case.events.values_list("kind", "from_state", "to_state", "actor__username"))
    assert events[1:] == [
        ("accept", "received", "accepted", "a1_secretary"),
        ("start", "accepted", "in_progress", "a1_secretary"),
    ]
    # Straight on to the answer, no dispatch in between.
    assert "answer" in workflow.available_steps(county.village_a1_secretary, case)
    actions.answer_case(county.village_a1_secretary, case.pk, "已修好。")
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED


def test_the_one_step_keeps_the_answer_deadline_and_counts_the_acceptance(client, county):
    case = new_case(county.village_a1)
    deadline = case.answer_deadline
    actions.accept_and_handle_case(county.village_a1_secretary, case.pk)
    case = Case.objects.get(pk=case.pk)
    assert case.answer_deadline == deadline and not case.urgent
    from dangjian.feedback.models import CaseStat

    assert CaseStat.objects.get(organization=county.village_a1).accepted == 1


def test_the_case_page_offers_the_one_step_only_where_nobody_is_below(client, county):
    case = new_case(county.village_a1)
    one_step = reverse("console:feedback_step", args=[case.pk, "accept_handle"])
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert one_step in page and "受理并办理" in page
    assert reverse("console:feedback_step", args=[case.pk, "accept"]) not in page
    # The township has villages below: it accepts and then dispatches, as before.
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert one_step not in page
    assert reverse("console:feedback_step", args=[case.pk, "accept"]) in page


@pytest.mark.parametrize("who", ["town_a_admin", "county_admin"])
def test_forged_one_step_by_an_organization_with_units_below_is_refused(client, county, who):
    case = new_case(county.village_a1)
    response = _step(client, getattr(county, who), case, "accept_handle")
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_forged_one_step_for_a_case_at_a_township_is_refused(client, county):
    case = new_case(county.town_a)  # the place has villages below
    response = _step(client, county.town_a_admin, case, "accept_handle")
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_forged_one_step_by_another_village_is_refused(client, county, a2_secretary):
    case = new_case(county.village_a1)
    response = _step(client, a2_secretary, case, "accept_handle")
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_one_step_twice_is_refused_with_a_message(client, county):
    case = new_case(county.village_a1)
    actions.accept_and_handle_case(county.village_a1_secretary, case.pk)
    response = _step(client, county.village_a1_secretary, case, "accept_handle")
    assert response.status_code in {400, 403}
    assert Case.objects.get(pk=case.pk).events.filter(kind="accept").count() == 1


def test_a_village_that_got_units_below_no_longer_handles_in_one_step(client, county):
    f.OrganizationFactory(name="王庄村第一村民小组", parent=county.village_a1)
    case = new_case(county.village_a1)
    response = _step(client, county.village_a1_secretary, case, "accept_handle")
    assert response.status_code == 403


# --- Reply templates ----------------------------------------------------------------------------------


def _in_progress(county):
    case = new_case(county.village_a1)
    actions.accept_and_handle_case(county.village_a1_secretary, case.pk)
    return Case.objects.get(pk=case.pk)


def test_use_button_adds_the_template_to_what_was_typed_without_javascript(client, county):
    case = _in_progress(county)
    template = ReplyTemplate.objects.create(organization=county.town_a, title="已修复", text="经核实，问题已处理。")
    response = _step(
        client, county.village_a1_secretary, case, "answer", reply="您好：", template=template.pk, use_template="1"
    )
    assert response.status_code == 200
    assert response.context["forms"]["answer"].initial["reply"] == "您好：\n经核实，问题已处理。"
    assert "您好：\n经核实，问题已处理。</textarea>" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS  # nothing was sent


def test_use_button_with_an_empty_box_fills_it(client, county):
    case = _in_progress(county)
    template = ReplyTemplate.objects.create(organization=county.village_a1, title="已修复", text="问题已处理。")
    response = _step(
        client, county.village_a1_secretary, case, "answer", reply="", template=template.pk, use_template="1"
    )
    assert response.context["forms"]["answer"].initial["reply"] == "问题已处理。"


def test_use_button_without_a_choice_keeps_the_text_and_asks_for_one(client, county):
    case = _in_progress(county)
    response = _step(
        client, county.village_a1_secretary, case, "answer", reply="我写的字", template="", use_template="1"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "我写的字</textarea>" in page and "请先选择一个模板" in page


def test_another_organizations_template_is_not_used(client, county):
    case = _in_progress(county)
    other = ReplyTemplate.objects.create(organization=county.town_b, title="西山乡", text="西山乡的答复")
    response = _step(
        client, county.village_a1_secretary, case, "answer", reply="我写的字", template=other.pk, use_template="1"
    )
    assert "西山乡的答复" not in response.content.decode()
    assert response.context["forms"]["answer"].initial["reply"] == "我写的字"


def test_use_button_for_those_who_may_not_answer_is_refused(client, county):
    case = new_case(county.village_a1)  # not yet accepted: nobody answers it
    template = ReplyTemplate.objects.create(organization=county.village_a1, title="已修复", text="问题已处理。")
    response = _step(
        client, county.village_a1_secretary, case, "answer", reply="x", template=template.pk, use_template="1"
    )
    assert response.status_code == 403


# --- The assisting organizations' picker ---------------------------------------------------------------


def test_the_dispatch_form_keeps_the_plain_select_and_loads_the_picker_from_our_own_static_files(client, county):
    from django.contrib.staticfiles import finders

    case = new_case(county.village_a1)
    actions.accept_case(county.town_a_admin, case.pk)
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    assert '<select name="assisting"' in page and "data-picker" in page
    assert 'data-picker-no-results="没有找到，请少输几个字再试"' in page
    for asset in ["vendor/tom-select/js/tom-select.complete.min.js", "vendor/tom-select/css/tom-select.min.css"]:
        assert f"/static/{asset}" in page
        assert finders.find(asset), f"{asset}: run `npm ci` (make install does)"
    # Without JavaScript the select is sent as before.
    case.refresh_from_db()
    response = _step(
        client, county.town_a_admin, case, "dispatch", lead=county.village_a1.pk, assisting=[county.village_a2.pk]
    )
    assert response.status_code == 302
    assert list(Case.objects.get(pk=case.pk).assisting_orgs.all()) == [county.village_a2]


def test_the_templates_page_shows_those_kept_above_and_the_answer_box_links_to_it(client, county):
    ReplyTemplate.objects.create(organization=county.town_a, title="镇模板", text="镇里的答复")
    case = _in_progress(county)
    client.force_login(county.village_a1_secretary)
    page = client.get(reverse("console:feedback_case", args=[case.pk])).content.decode()
    url = reverse("console:feedback_templates", args=[county.village_a1.pk])
    assert f'href="{url}"' in page and "镇模板" in page
    templates = client.get(url).content.decode()
    assert "上级单位的答复模板" in templates and "镇里的答复" in templates
