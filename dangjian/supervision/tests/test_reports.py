"""Routing, reading rights, the workflow and the reporter's follow-up."""

import datetime

import pytest
from django.http import Http404

from dangjian.core.history import ActionError
from dangjian.supervision import actions, workflow
from dangjian.supervision.models import Report, State

from .conftest import file_report

pytestmark = pytest.mark.django_db


def test_report_goes_to_the_unit_above_the_reported_organization(county, officers):
    report, receipt = file_report(county)
    assert report.receiving_unit == county.town_a
    assert len(receipt) == 16 and receipt.isdigit()
    opened = actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    assert opened.payload["person"] == "王大海" and "两千元" in opened.payload["what"]


def test_higher_unit_reads_and_other_units_do_not(county, officers):
    report, _receipt = file_report(county)
    actions.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)
    with pytest.raises(Http404):
        actions.open_as_officer(officers.b_officer, officers.private(officers.b_officer), report.pk)


def test_report_naming_an_officer_of_the_receiving_unit_goes_one_level_higher(county, officers):
    report, _receipt = file_report(county, person="周纪检", post="镇纪委书记")
    assert report.receiving_unit == county.county
    with pytest.raises(Http404):
        actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)
    actions.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)


def test_a_higher_officer_named_in_a_report_cannot_open_it(county, officers):
    report, _receipt = file_report(county, person="郑纪委", post="县纪委干部")
    assert report.receiving_unit == county.town_a
    with pytest.raises(Http404):
        actions.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)


def test_acceptance_deadline_is_15_working_days_across_national_day(county, officers):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 9, 25, 10, 0, tzinfo=datetime.UTC), tick=False):
        report, _receipt = file_report(county)
    # 25 Sep (Fri) + 15 working days: 28, 29, 30 Sep, 8, 9, 10 (Sat, 调休), 12-16, 19-22 Oct.
    assert report.acceptance_due == datetime.date(2026, 10, 22)


ACTIONS = sorted(a for a in workflow.TRANSITIONS)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(State))
def test_transition_table(action, state):
    if state in workflow.TRANSITIONS[action].sources:
        workflow.check(action, state)
    else:
        with pytest.raises(ActionError):
            workflow.check(action, state)


def _open(officers, report):
    return actions.open_as_officer(officers.a_officer, officers.private(officers.a_officer), report.pk)


def test_whole_workflow_to_archive_with_reporter_objection(county, officers):
    report, receipt = file_report(county)
    o = officers.a_officer
    actions.transition(o, _open(officers, report), "accept", text="已受理")
    with pytest.raises(ActionError):
        actions.transition(o, _open(officers, report), "dispose", disposal="bribe")
    actions.transition(o, _open(officers, report), "dispose", disposal="verify")
    with pytest.raises(ActionError):
        actions.transition(o, _open(officers, report), "conclude", text="")
    actions.transition(o, _open(officers, report), "conclude", text="经核实，王大海收受现金属实，已给予党内警告处分。")
    report.refresh_from_db()
    assert report.state == State.CONCLUDED and report.result_due is not None
    actions.transition(o, _open(officers, report), "feed_back", text="经核实，反映问题属实，已依纪处理。")
    actions.reporter_objection(receipt, "处分太轻")
    report.refresh_from_db()
    assert report.state == State.OBJECTED
    actions.transition(o, _open(officers, report), "archive")
    report.refresh_from_db()
    assert report.state == State.ARCHIVED and report.closed_on is not None
    with pytest.raises(ActionError):
        actions.reporter_message(receipt, "还有补充")


def test_not_accepting_needs_a_reason_the_reporter_reads(client, county, officers):
    report, receipt = file_report(county)
    with pytest.raises(ActionError):
        actions.transition(officers.a_officer, _open(officers, report), "not_accept", text=" ")
    actions.transition(officers.a_officer, _open(officers, report), "not_accept", text="反映内容不属于纪检监察受理范围")
    page = client.post("/supervision/follow/", {"receipt": receipt}).content.decode()
    assert "不属于纪检监察受理范围" in page and "不予受理" in page


def test_forward_to_a_lower_unit_which_must_register_within_5_working_days(county, officers):
    from dangjian.accounts.models import Role
    from dangjian.supervision import keys
    from dangjian.tests_support import factories as f
    from dangjian.tests_support.factories import PASSWORD

    report, _receipt = file_report(county, reported_org=county.town_a, person="李某", post="镇干部")
    assert report.receiving_unit == county.county
    village_officer = f.staff("b1_officer", Role.DISCIPLINE, county.village_b1)
    private = keys.ensure_user_keypair(village_officer, PASSWORD)
    opened = actions.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)
    with pytest.raises(ActionError):  # the reported organization itself
        actions.transition(officers.county_officer, opened, "forward", lower_unit=county.town_a)
    with pytest.raises(ActionError, match="下级组织"):  # nor a unit under it
        actions.transition(officers.county_officer, opened, "forward", lower_unit=county.village_a1)
    with pytest.raises(ActionError):  # no keys yet
        actions.transition(officers.county_officer, opened, "forward", lower_unit=county.village_b1)
    keys.create_unit_key(village_officer, county.village_b1, private)
    actions.transition(officers.county_officer, opened, "forward", lower_unit=county.village_b1)
    report.refresh_from_db()
    assert report.state == State.FORWARDED and report.receiving_unit == county.village_b1
    assert report.register_due is not None
    lower = actions.open_as_officer(village_officer, private, report.pk)
    actions.transition(village_officer, lower, "register")
    report.refresh_from_db()
    assert report.state == State.ACCEPTED


def test_overdue_acceptance_is_flagged_to_the_head_and_the_unit_above(county, officers):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    head = f.staff("a_head", Role.SECRETARY, county.town_a)
    report, _receipt = file_report(county)
    assert actions.scan_deadlines(report.acceptance_due) == 0
    assert actions.scan_deadlines(report.acceptance_due + datetime.timedelta(days=1)) == 1
    assert head.notifications.filter(kind__startswith="supervision").exists()
    told = officers.county_officer.notifications.filter(kind__startswith="supervision")
    assert any("超期" in n.text for n in told)
    assert not any("王大海" in n.text for n in head.notifications.all())


def test_real_name_reports_come_first(county, officers):
    file_report(county)
    real, _receipt = file_report(county, real_name=True, reporter_name="刘明", reporter_phone="13812345678")
    assert Report.objects.first() == real


def test_messages_both_ways(county, officers):
    report, receipt = file_report(county)
    actions.officer_message(officers.a_officer, _open(officers, report), "请补充送钱的具体时间。")
    actions.reporter_message(receipt, "10月8日上午。")
    opened = _open(officers, report)
    bodies = [actions.decrypt_text(m.body, opened.key) for m in opened.report.messages.all()]
    assert bodies == ["请补充送钱的具体时间。", "10月8日上午。"]


def test_no_units_with_keys_means_nothing_is_saved(county):
    with pytest.raises(ActionError):
        file_report(county)
    assert not Report.objects.exists()


def test_a_higher_unit_can_take_over_a_report_below_it(county, officers):
    report, _receipt = file_report(county)
    opened = actions.open_as_officer(officers.county_officer, officers.private(officers.county_officer), report.pk)
    actions.transition(officers.county_officer, opened, "accept", text="县纪委直接办理")
    assert Report.objects.get(pk=report.pk).state == State.ACCEPTED


def test_result_deadline_is_15_working_days_after_conclusion(county, officers):
    import time_machine

    report, _receipt = file_report(county)
    o = officers.a_officer
    for action, kwargs in [("accept", {}), ("dispose", {"disposal": "close"})]:
        actions.transition(o, _open(officers, report), action, **kwargs)
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        actions.transition(o, _open(officers, report), "conclude", text="予以了结")
    report.refresh_from_db()
    assert report.concluded_on == datetime.date(2026, 9, 30)
    # National Day off, then 8, 9, 10 (调休), 12-16, 19-23, 26, 27 October: the 15th working day is 27 October.
    from dangjian.core.workdays import add_workdays

    assert report.result_due == add_workdays(datetime.date(2026, 9, 30), 15) == datetime.date(2026, 10, 27)


def test_reporter_adds_evidence_through_the_follow_up_page(client, county, officers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report, receipt = file_report(county)
    pdf = SimpleUploadedFile("补充.pdf", b"%PDF-1.4\nmore\n%%EOF", content_type="application/pdf")
    page = client.post("/supervision/follow/", {"receipt": receipt, "step": "evidence", "e-evidence": [pdf]})
    assert page.status_code == 200 and "材料1.pdf" in page.content.decode() and "补充.pdf" not in page.content.decode()
    assert report.evidence.count() == 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), content_type="application/pdf")
    page = client.post("/supervision/follow/", {"receipt": receipt, "step": "evidence", "e-evidence": [big]})
    assert page.status_code == 400 and report.evidence.count() == 1


def test_a_kind_of_conduct_of_another_discipline_is_named_with_the_way_out(client, county):
    """The two lists don't follow each other without script: the message says where the kind belongs."""
    page = client.get(f"/o/{county.village_a1.pk}/supervision/new/").content.decode()
    assert '<option value="" selected>请选择问题类型</option>' in page
    response = client.post(
        f"/o/{county.village_a1.pk}/supervision/new/",
        {
            "real_name": "0",
            "discipline": "masses",
            "subcategory": "对抗组织审查",
            "person": "王大海",
            "post": "村主任",
            "organization": county.village_a1.pk,
            "what": "办事要好处费。",
            "false_accusation": "on",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "“对抗组织审查”属于政治纪律" in text and "群众纪律" in text
    assert "办事要好处费。" in text  # what was typed is kept
