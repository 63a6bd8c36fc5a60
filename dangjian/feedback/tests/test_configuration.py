"""Settings of the feedback module written through feedback.configuration: each write leaves a history
record, the action itself refuses users without the capability, and the pages show the history."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.core.models import CalendarOverride, ChangeRecord
from dangjian.core.workdays import add_workdays
from dangjian.feedback import configuration as conf
from dangjian.feedback.models import DispatchRule, FeedbackSettings, ReplyTemplate, TimeLimit

pytestmark = pytest.mark.django_db


def records_of(model):
    return list(ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id"))


def limits_input(**changes):
    rows = []
    for limit in TimeLimit.objects.all():
        values = {
            "category": limit.category,
            "accept_days": limit.accept_days,
            "answer_days": limit.answer_days,
            "urgent_answer_days": limit.urgent_answer_days,
            "rating_days": limit.rating_days,
        }
        values.update(changes.get(limit.category, {}))
        rows.append(conf.TimeLimitInput(**values))
    return rows


# --- Reply templates -------------------------------------------------------------------------------


def test_adding_and_removing_a_reply_template_is_recorded(county):
    secretary = county.village_a1_secretary
    template = conf.add_reply_template(
        secretary, county.village_a1.pk, conf.ReplyTemplateInput(title="已修复", text="您反映的问题已修复。")
    )
    conf.remove_reply_template(secretary, county.village_a1.pk, template.pk)
    created, deleted = records_of(ReplyTemplate)
    assert (created.action, created.actor, created.organization) == ("create", secretary, county.village_a1)
    assert created.changes["title"] == "已修复" and created.at is not None
    assert (deleted.action, deleted.actor, deleted.object_repr) == ("delete", secretary, "已修复")
    assert not ReplyTemplate.objects.exists()


def test_a_secretary_of_another_village_is_refused_by_the_template_action(county, a2_secretary):
    data = conf.ReplyTemplateInput(title="已修复", text="您反映的问题已修复。")
    with pytest.raises(PermissionDenied):
        conf.add_reply_template(a2_secretary, county.village_a1.pk, data)
    template = conf.add_reply_template(county.village_a1_secretary, county.village_a1.pk, data)
    with pytest.raises(PermissionDenied):
        conf.remove_reply_template(a2_secretary, county.village_a1.pk, template.pk)
    # Its own village's id does not reach another village's template either.
    with pytest.raises(NotFound):
        conf.remove_reply_template(a2_secretary, county.village_a2.pk, template.pk)
    assert ReplyTemplate.objects.count() == 1 and len(records_of(ReplyTemplate)) == 1


@pytest.mark.parametrize(
    ("title", "text", "field"),
    [("", "正文", "title"), ("标" * 61, "正文", "title"), ("标题", "", "text"), ("标题", "字" * 3001, "text")],
)
def test_a_reply_template_with_bad_input_is_refused_and_nothing_saved(county, title, text, field):
    with pytest.raises(InvalidInput) as refused:
        conf.add_reply_template(
            county.village_a1_secretary, county.village_a1.pk, conf.ReplyTemplateInput(title=title, text=text)
        )
    assert list(refused.value.errors) == [field]
    assert not ReplyTemplate.objects.exists() and not records_of(ReplyTemplate)


def test_raw_post_removing_another_villages_template_is_refused(client, county, a2_secretary):
    template = conf.add_reply_template(
        county.village_a1_secretary, county.village_a1.pk, conf.ReplyTemplateInput(title="已修复", text="已修复。")
    )
    client.force_login(a2_secretary)
    url = reverse("console:feedback_templates", args=[county.village_a2.pk])
    response = client.post(url, {"delete": template.pk}, follow=True)
    assert "该记录不存在，或不在您的管辖范围内。" in response.content.decode()
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()
    other = reverse("console:feedback_templates", args=[county.village_a1.pk])
    assert client.post(other, {"delete": template.pk}).status_code == 403
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_templates_page_shows_who_added_and_removed_templates(client, county):
    client.force_login(county.village_a1_secretary)
    url = reverse("console:feedback_templates", args=[county.village_a1.pk])
    client.post(url, {"title": "已修复", "text": "您反映的问题已修复。"})
    client.post(url, {"delete": ReplyTemplate.objects.get().pk})
    page = client.get(url).content.decode()
    history = page.split('id="history-h"')[1]
    secretary = str(county.village_a1_secretary)
    assert f"{secretary} · <strong>新建</strong> 已修复" in history
    assert f"{secretary} · <strong>删除</strong> 已修复" in history


# --- Dispatch catalogue and the approval switch ----------------------------------------------------


def test_a_dispatch_rule_is_recorded_on_its_place(county):
    rule = conf.add_dispatch_rule(
        county.town_a_admin,
        county.town_a.pk,
        conf.DispatchRuleInput(place_id=county.village_a1.pk, lead_id=county.town_a.pk, category="complaint"),
    )
    conf.remove_dispatch_rule(county.town_a_admin, county.town_a.pk, rule.pk)
    created, deleted = records_of(DispatchRule)
    assert (created.action, created.actor, created.organization) == ("create", county.town_a_admin, county.village_a1)
    assert deleted.action == "delete" and not DispatchRule.objects.exists()


def test_a_village_secretary_cannot_change_the_county_catalogue(client, county):
    data = conf.DispatchRuleInput(place_id=county.village_a1.pk, lead_id=county.village_a1.pk)
    with pytest.raises(PermissionDenied):
        conf.add_dispatch_rule(county.village_a1_secretary, county.county.pk, data)
    with pytest.raises(PermissionDenied):
        conf.set_answers_need_approval(county.village_a1_secretary, county.county.pk, True)
    # Nor of its own village: the catalogue needs the administrator's capability.
    with pytest.raises(PermissionDenied):
        conf.add_dispatch_rule(county.village_a1_secretary, county.village_a1.pk, data)
    client.force_login(county.village_a1_secretary)
    for org in (county.county, county.village_a1):
        url = reverse("console:feedback_catalogue", args=[org.pk])
        post = {"place": county.village_a1.pk, "category": "", "lead": county.village_a1.pk}
        assert client.post(url, post).status_code == 403
        assert client.post(url, {"approval": "1"}).status_code == 403
    assert not DispatchRule.objects.exists() and not FeedbackSettings.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_a_rule_naming_an_organization_of_another_township_is_refused(county):
    data = conf.DispatchRuleInput(place_id=county.village_b1.pk, lead_id=county.town_a.pk)
    with pytest.raises(ActionError, match="两个组织都必须在您的管辖范围内"):
        conf.add_dispatch_rule(county.town_a_admin, county.town_a.pk, data)
    data = conf.DispatchRuleInput(place_id=county.village_a1.pk, lead_id=county.town_b.pk)
    with pytest.raises(ActionError, match="两个组织都必须在您的管辖范围内"):
        conf.add_dispatch_rule(county.town_a_admin, county.town_a.pk, data)
    assert not DispatchRule.objects.exists() and not ChangeRecord.objects.exists()


def test_a_duplicate_or_bad_rule_is_refused(county):
    admin, town = county.town_a_admin, county.town_a.pk
    data = conf.DispatchRuleInput(place_id=county.village_a1.pk, lead_id=town, category="help")
    conf.add_dispatch_rule(admin, town, data)
    with pytest.raises(ActionError, match="该地点和类型已有规则"):
        conf.add_dispatch_rule(admin, town, data)
    with pytest.raises(ActionError):
        conf.add_dispatch_rule(admin, town, conf.DispatchRuleInput(county.village_a2.pk, town, category="nonsense"))
    with pytest.raises(InvalidInput):
        conf.add_dispatch_rule(admin, town, conf.DispatchRuleInput(county.village_a2.pk, town, note="注" * 201))
    assert DispatchRule.objects.count() == 1 and len(records_of(DispatchRule)) == 1


def test_another_townships_administrator_cannot_remove_a_rule_by_raw_post(client, county):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    rule = conf.add_dispatch_rule(
        county.town_a_admin, county.town_a.pk, conf.DispatchRuleInput(county.village_a1.pk, county.town_a.pk)
    )
    town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    with pytest.raises(PermissionDenied):
        conf.remove_dispatch_rule(town_b_admin, county.town_a.pk, rule.pk)
    with pytest.raises(NotFound):
        conf.remove_dispatch_rule(town_b_admin, county.town_b.pk, rule.pk)
    client.force_login(town_b_admin)
    url = reverse("console:feedback_catalogue", args=[county.town_a.pk])
    assert client.post(url, {"delete": rule.pk}).status_code == 403
    assert client.post(url, {"approval": "1"}).status_code == 403
    town_b_url = reverse("console:feedback_catalogue", args=[county.town_b.pk])
    response = client.post(town_b_url, {"delete": rule.pk}, follow=True)
    assert "该记录不存在，或不在您的管辖范围内。" in response.content.decode()
    assert DispatchRule.objects.filter(pk=rule.pk).exists() and not FeedbackSettings.objects.exists()


def test_the_approval_switch_is_recorded_with_its_change(county):
    conf.set_answers_need_approval(county.town_a_admin, county.town_a.pk, True)
    conf.set_answers_need_approval(county.town_a_admin, county.town_a.pk, True)  # unchanged: no record
    conf.set_answers_need_approval(county.county_admin, county.town_a.pk, False)
    created, changed = records_of(FeedbackSettings)
    assert (created.action, created.actor, created.changes["answers_need_approval"]) == (
        "create",
        county.town_a_admin,
        True,
    )
    assert (changed.action, changed.actor, changed.changes) == (
        "update",
        county.county_admin,
        {"answers_need_approval": [True, False]},
    )
    assert not FeedbackSettings.objects.get(organization=county.town_a).answers_need_approval


def test_catalogue_page_shows_the_history_of_rules_and_the_switch(client, county):
    client.force_login(county.town_a_admin)
    url = reverse("console:feedback_catalogue", args=[county.town_a.pk])
    client.post(url, {"place": county.village_a1.pk, "category": "complaint", "lead": county.town_a.pk})
    client.post(url, {"approval": "1"})
    history = client.get(url).content.decode().split('id="history-h"')[1]
    admin = str(county.town_a_admin)
    assert f"{admin} · <strong>新建</strong> {county.village_a1} / 投诉 -&gt; {county.town_a}" in history
    assert f"{admin} · <strong>新建</strong> {county.town_a}</p>" in history
    assert "<li>答复须经书记审核后公开：是</li>" in history


# --- Time limits and the calendar (county-wide) ----------------------------------------------------


def test_changing_a_time_limit_records_what_changed(county):
    conf.save_time_limits(county.county_admin, limits_input(consult={"answer_days": 7}))
    (entry,) = records_of(TimeLimit)
    assert (entry.action, entry.actor, entry.organization) == ("update", county.county_admin, county.county)
    assert entry.changes == {"answer_days": [3, 7]}


def test_a_township_administrator_is_refused_by_the_time_limit_action(client, county):
    with pytest.raises(PermissionDenied):
        conf.save_time_limits(county.town_a_admin, limits_input(consult={"answer_days": 7}))
    client.force_login(county.town_a_admin)
    data = {
        f"{row.category}-{name}": getattr(row, name)
        for row in limits_input(consult={"answer_days": 7})
        for name in ["accept_days", "answer_days", "urgent_answer_days", "rating_days"]
    }
    assert client.post(reverse("console:feedback_limits"), data).status_code == 403
    assert TimeLimit.objects.get(category="consult").answer_days == 3 and not records_of(TimeLimit)


def test_a_bad_time_limit_saves_none_of_them(county):
    with pytest.raises(InvalidInput):
        conf.save_time_limits(county.county_admin, limits_input(consult={"answer_days": 7}, help={"accept_days": -1}))
    assert TimeLimit.objects.get(category="consult").answer_days == 3 and not records_of(TimeLimit)
    with pytest.raises(NotFound):
        conf.save_time_limits(county.county_admin, [conf.TimeLimitInput("nonsense", 1, 1, 0, 20)])


def test_limits_page_shows_who_changed_what(client, county):
    conf.save_time_limits(county.county_admin, limits_input(consult={"answer_days": 7}))
    client.force_login(county.county_admin)
    history = client.get(reverse("console:feedback_limits")).content.decode().split('id="history-h"')[1]
    assert f"{county.county_admin} · <strong>修改</strong> 咨询" in history
    assert "答复时限（工作日）：<del>3</del> → <ins>7</ins>" in history


def test_calendar_day_saved_and_corrected_and_removed_is_recorded(county, django_capture_on_commit_callbacks):
    admin = county.county_admin
    without = add_workdays(datetime.date(2026, 12, 31), 1)
    with django_capture_on_commit_callbacks(execute=True):
        conf.save_calendar_day(admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), False, "元旦"))
    assert add_workdays(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)
    with django_capture_on_commit_callbacks(execute=True):
        day = conf.save_calendar_day(admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), True, "补班"))
    assert add_workdays(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        conf.remove_calendar_day(admin, day.pk)
    assert add_workdays(datetime.date(2026, 12, 31), 1) == without
    created, changed, deleted = records_of(CalendarOverride)
    assert [r.action for r in (created, changed, deleted)] == ["create", "update", "delete"]
    assert changed.changes["is_workday"] == [False, True] and changed.changes["note"] == ["元旦", "补班"]
    assert {r.actor for r in (created, changed, deleted)} == {admin}
    assert not CalendarOverride.objects.exists()


def test_a_township_administrator_is_refused_by_the_calendar_actions(client, county):
    day = conf.save_calendar_day(county.county_admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), False))
    with pytest.raises(PermissionDenied):
        conf.save_calendar_day(county.town_a_admin, conf.CalendarDayInput(datetime.date(2027, 1, 2), False))
    with pytest.raises(PermissionDenied):
        conf.remove_calendar_day(county.town_a_admin, day.pk)
    client.force_login(county.town_a_admin)
    assert client.post(reverse("console:calendar"), {"delete": day.pk}).status_code == 403
    response = client.post(reverse("console:calendar"), {"date": "2027-01-02", "is_workday": "0"})
    assert response.status_code == 403
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [datetime.date(2027, 1, 1)]
    assert len(records_of(CalendarOverride)) == 1


def test_a_calendar_note_too_long_is_refused(county):
    with pytest.raises(InvalidInput):
        conf.save_calendar_day(county.county_admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), False, "注" * 101))
    assert not CalendarOverride.objects.exists() and not ChangeRecord.objects.exists()


def test_calendar_page_shows_the_history(client, county):
    client.force_login(county.county_admin)
    client.post(reverse("console:calendar"), {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    client.post(reverse("console:calendar"), {"delete": CalendarOverride.objects.get().pk})
    page = client.get(reverse("console:calendar")).content.decode()
    history = page.split('id="history-h"')[1]
    admin = str(county.county_admin)
    assert f"{admin} · <strong>新建</strong> 2027-01-01" in history
    assert f"{admin} · <strong>删除</strong> 2027-01-01" in history


def test_the_history_page_of_a_rule_opens_from_the_dashboard_and_only_for_its_area(client, county):
    from dangjian.accounts.models import Role
    from dangjian.tests_support import factories as f

    rule = conf.add_dispatch_rule(
        county.town_a_admin, county.town_a.pk, conf.DispatchRuleInput(county.village_a1.pk, county.town_a.pk)
    )
    url = reverse("console:history", args=["dispatchrule", rule.pk])
    client.force_login(county.town_a_admin)
    assert url in client.get(reverse("console:dashboard")).content.decode()
    page = client.get(url).content.decode()
    assert f"{county.town_a_admin} · <strong>新建</strong>" in page
    client.force_login(f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b))
    assert client.get(url).status_code == 403


def test_content_editors_of_the_area_cannot_read_settings_or_role_history(client, county):
    """History is read with the capability its module registered: an editor of content (media officer, village
    secretary) sees neither the dispatch rule's history nor a role grant's, on the page or on the dashboard."""
    from dangjian.accounts import actions as account_actions
    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.tests_support import factories as f

    rule = conf.add_dispatch_rule(
        county.town_a_admin, county.town_a.pk, conf.DispatchRuleInput(county.village_a1.pk, county.town_a.pk)
    )
    newcomer = f.UserFactory(username="newcomer")
    account_actions.grant_role(county.town_a_admin, county.village_a1.pk, newcomer.pk, Role.MEDIA_OFFICER)
    grant = RoleGrant.objects.get(user=newcomer)
    urls = [
        reverse("console:history", args=[kind, pk]) for kind, pk in [("dispatchrule", rule.pk), ("rolegrant", grant.pk)]
    ]
    for reader in (county.town_a_media, county.village_a1_secretary):
        client.force_login(reader)
        assert [client.get(url).status_code for url in urls] == [403, 403]
        dashboard = client.get(reverse("console:dashboard")).content.decode()
        assert not any(url in dashboard for url in urls)
    client.force_login(county.town_a_admin)
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_history_shows_field_names_and_values_in_words(client, county):
    conf.save_time_limits(county.county_admin, limits_input(consult={"answer_days": 7}))
    conf.save_calendar_day(county.county_admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), is_workday=False))
    conf.save_calendar_day(county.county_admin, conf.CalendarDayInput(datetime.date(2027, 1, 1), is_workday=True))
    client.force_login(county.county_admin)

    def history_of(url):
        page = client.get(url).content.decode()
        return page[page.index('id="history-h"') :]

    limits = history_of(reverse("console:feedback_limits"))
    calendar = history_of(reverse("console:calendar"))
    assert "answer_days" not in limits and "<del>3</del> → <ins>7</ins>" in limits
    assert "2027-01-01：休息日" in calendar or "2027-01-01: 休息日" in calendar
    assert "工作日：<del>否</del> → <ins>是</ins>" in calendar
    assert "updated_at" not in calendar and "version" not in limits
