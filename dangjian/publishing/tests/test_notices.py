"""Notices (通知) with sign-off (签收): sending, signing, replying, reminding, withdrawing, and who may do each."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError, InvalidInput
from dangjian.core.registry import ToDo, UsageMetric, entries
from dangjian.notifications.models import Delivery, Notification, Robot
from dangjian.publishing import notice_actions as actions
from dangjian.publishing.models import Notice, NoticeAttachment, NoticeRecipient, NoticeReply, NoticeReplyFile
from dangjian.tests_support import factories as f
from dangjian.tests_support.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="通知附件.pdf", size=None) -> SimpleUploadedFile:
    data = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def to_townships(**overrides) -> actions.NoticeInput:
    values = {
        "title": "关于报送基层党建工作总结的通知",
        "body": "请于月底前报送本单位年度党建工作总结。",
        "audience": Notice.Audience.CHILDREN,
        "reply_by": timezone.localdate() + datetime.timedelta(days=7),
        "needs_reply": True,
    }
    values.update(overrides)
    return actions.NoticeInput(**values)


@pytest.fixture
def people(county):
    county.town_a_secretary = f.staff("town_a_secretary", Role.SECRETARY, county.town_a, full_name="钱书记")
    county.town_b_admin = f.staff("town_b_admin", Role.ORG_ADMIN, county.town_b)
    county.county_secretary = f.staff("county_secretary", Role.SECRETARY, county.county)
    return county


def receipt(notice, organization) -> NoticeRecipient:
    return NoticeRecipient.objects.get(notice=notice, organization=organization)


# --- Sending ------------------------------------------------------------------------------------------------


def test_the_county_sends_to_its_townships_who_are_told_and_the_robots_get_it(people):
    c = people
    Robot.objects.create(organization=c.county, kind="dingtalk", name="县委群", webhook_encrypted=b"x")
    notice = actions.send_notice(c.county_admin, c.county.pk, to_townships(), [pdf()])
    assert set(notice.recipients.values_list("organization", flat=True)) == {c.town_a.pk, c.town_b.pk}
    told = set(Notification.objects.filter(kind="publishing.notice_received").values_list("user__username", flat=True))
    assert told == {"town_a_admin", "town_a_media", "town_a_secretary", "town_b_admin"}
    assert notice.attachments.get().name == "通知附件.pdf"
    assert Delivery.objects.filter(topic="notice", key=f"notice:{notice.pk}").count() == 1


def test_every_organization_below_one_and_only_a_role(people):
    c = people
    notice = actions.send_notice(
        c.county_admin,
        c.county.pk,
        to_townships(audience=Notice.Audience.SUBTREE, subtree_root_id=c.town_a.pk, role=Role.SECRETARY),
    )
    assert set(notice.recipients.values_list("organization", flat=True)) == {c.village_a1.pk, c.village_a2.pk}
    told = set(Notification.objects.filter(kind="publishing.notice_received").values_list("user__username", flat=True))
    assert told == {"a1_secretary"}


def test_a_forged_organization_outside_the_subtree_refuses_the_whole_notice(people):
    c = people
    with pytest.raises(InvalidInput, match="不在本单位下级范围内"):
        actions.send_notice(
            c.town_a_admin,
            c.town_a.pk,
            to_townships(audience=Notice.Audience.CHOSEN, organization_ids=[c.village_a1.pk, c.village_b1.pk]),
            [pdf()],
        )
    with pytest.raises(InvalidInput, match="不在本单位下级范围内"):
        actions.send_notice(
            c.town_a_admin, c.town_a.pk, to_townships(audience=Notice.Audience.CHOSEN, organization_ids=[c.town_a.pk])
        )
    with pytest.raises(InvalidInput):
        actions.send_notice(
            c.town_a_admin,
            c.town_a.pk,
            to_townships(audience=Notice.Audience.SUBTREE, subtree_root_id=c.town_b.pk),
        )
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists() and not Notification.objects.exists()


def test_the_form_with_a_forged_id_says_so_and_saves_nothing(people):
    c = people
    client = client_for(c.town_a_admin)
    response = client.post(
        reverse("console:notice_new", args=[c.town_a.pk]),
        {
            "title": "通知",
            "body": "正文",
            "audience": "chosen",
            "organizations": [c.village_a1.pk, c.village_b1.pk],
            "subtree_root": c.town_a.pk,
        },
    )
    assert response.status_code == 400
    assert "不在本单位下级范围内" in response.content.decode()
    assert not Notice.objects.exists()


def test_who_may_not_send(people):
    c = people
    for user, org in ((c.town_a_media, c.town_a), (c.town_b_admin, c.town_a), (c.town_b_discipline, c.town_b)):
        with pytest.raises(PermissionDenied):
            actions.send_notice(user, org.pk, to_townships())
    assert client_for(c.town_b_admin).get(reverse("console:notice_new", args=[c.town_a.pk])).status_code == 403
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写通知标题"),
        ({"body": ""}, "body", "请填写通知正文"),
        ({"reply_by": datetime.date(2020, 1, 1)}, "reply_by", "已经过去"),
        ({"reply_by": None, "needs_reply": True}, "reply_by", "截止日期"),
    ],
)
def test_bad_input_is_refused_by_field(people, overrides, field, message):
    with pytest.raises(InvalidInput) as refused:
        actions.send_notice(people.county_admin, people.county.pk, to_townships(**overrides))
    assert message in " ".join(refused.value.errors[field])
    assert not Notice.objects.exists()


def test_a_30_mb_attachment_is_refused_with_its_size_and_nothing_is_saved(people, settings):
    with pytest.raises(InvalidInput, match="30.0.MB，最大允许 20.0.MB"):
        actions.send_notice(people.county_admin, people.county.pk, to_townships(), [pdf(size=30 * 1024 * 1024)])
    assert not Notice.objects.exists() and not NoticeRecipient.objects.exists()


def test_a_thousand_receivers_are_written_in_a_bounded_number_of_queries(people, django_assert_max_num_queries):
    c = people
    for i in range(300):
        org = f.OrganizationFactory(name=f"第{i}村", kind="village", parent=c.town_b)
        if i % 3 == 0:
            f.staff(f"v{i}", Role.SECRETARY, org)
    with django_assert_max_num_queries(60):
        notice = actions.send_notice(
            c.county_admin, c.county.pk, to_townships(audience=Notice.Audience.SUBTREE, subtree_root_id=c.county.pk)
        )
    assert notice.recipients.count() == 305


# --- Receiving ----------------------------------------------------------------------------------------------


@pytest.fixture
def sent(people):
    return actions.send_notice(people.county_admin, people.county.pk, to_townships(), [pdf()])


def test_the_township_signs_once_even_when_submitted_twice(people, sent):
    c = people
    r = receipt(sent, c.town_a)
    first = actions.sign_notice(c.town_a_secretary, r.pk)
    again = actions.sign_notice(c.town_a_admin, r.pk)
    assert again.signed_by == c.town_a_secretary and again.signed_at == first.signed_at
    assert first.read_at is not None


def test_a_sign_off_whose_signer_account_is_gone_still_shows_on_the_senders_page(people, sent):
    """The signer's account deleted (signed_by is set to null): the receipt stays signed and the page shows it."""
    c = people
    r = receipt(sent, c.town_a)
    actions.sign_notice(c.town_a_secretary, r.pk)
    NoticeRecipient.objects.filter(pk=r.pk).update(signed_by=None)
    response = client_for(c.county_admin).get(reverse("console:notice", args=[sent.pk]))
    assert response.status_code == 200
    row = response.content.decode().split(c.town_a.short_name or c.town_a.name, 1)[1].split("</tr>", 1)[0]
    assert receipt(sent, c.town_a).signed_at.astimezone(timezone.get_current_timezone()).strftime("%m-%d") in row


def test_only_the_receivers_own_signers_sign(people, sent):
    c = people
    r = receipt(sent, c.town_a)
    for outsider in (c.county_admin, c.town_b_admin, c.town_b_discipline, c.village_a1_secretary, c.nobody):
        with pytest.raises(PermissionDenied):
            actions.sign_notice(outsider, r.pk)
    assert receipt(sent, c.town_a).signed_at is None


def test_a_township_admin_cannot_sign_for_its_village(people):
    c = people
    notice = actions.send_notice(
        c.county_admin, c.county.pk, to_townships(audience=Notice.Audience.CHOSEN, organization_ids=[c.village_a1.pk])
    )
    r = receipt(notice, c.village_a1)
    with pytest.raises(PermissionDenied):
        actions.sign_notice(c.town_a_admin, r.pk)
    response = client_for(c.town_a_admin).post(reverse("console:notice_sign", args=[notice.pk, r.pk]))
    assert response.status_code == 404
    assert actions.sign_notice(c.village_a1_secretary, r.pk).signed_by == c.village_a1_secretary


def test_a_notice_for_secretaries_is_signed_by_the_secretary_only(people):
    c = people
    notice = actions.send_notice(c.county_admin, c.county.pk, to_townships(role=Role.SECRETARY))
    r = receipt(notice, c.town_a)
    with pytest.raises(PermissionDenied):
        actions.sign_notice(c.town_a_admin, r.pk)
    actions.sign_notice(c.town_a_secretary, r.pk)


def test_opening_records_the_first_read_and_the_page_shows_the_sign_button(people, sent):
    c = people
    client = client_for(c.town_a_secretary)
    page = client.get(reverse("console:notice", args=[sent.pk])).content.decode()
    assert "签收" in page and sent.title in page
    first = receipt(sent, c.town_a).read_at
    assert first is not None
    client.get(reverse("console:notice", args=[sent.pk]))
    assert receipt(sent, c.town_a).read_at == first
    # Someone above (the county's staff, the sender) opening it records nothing for the township.
    assert receipt(sent, c.town_b).read_at is None


def test_a_reply_with_a_file_signs_and_a_late_reply_is_marked(people, sent):
    c = people
    r = receipt(sent, c.town_a)
    reply = actions.reply_to_notice(c.town_a_secretary, r.pk, "已组织学习。", [pdf("总结.pdf")])
    assert reply.files.get().name == "总结.pdf" and receipt(sent, c.town_a).signed_at is not None
    assert not actions.is_late(reply, sent)
    with pytest.raises(InvalidInput, match="请填写回复内容"):
        actions.reply_to_notice(c.town_a_secretary, r.pk, "  ")
    import time_machine

    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        late = actions.reply_to_notice(c.town_a_secretary, r.pk, "补充材料。")
        assert actions.is_late(late, sent)
        page = client_for(c.county_admin).get(reverse("console:notice", args=[sent.pk])).content.decode()
    assert "补充材料。" in page and "逾期" in page and "钱书记" in page


def test_replying_to_another_organizations_receipt_by_raw_http_is_refused(people, sent):
    c = people
    theirs = receipt(sent, c.town_b)
    response = client_for(c.town_a_secretary).post(
        reverse("console:notice_reply", args=[sent.pk, theirs.pk]), {f"r{theirs.pk}-text": "冒充回复"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        actions.reply_to_notice(c.town_a_secretary, theirs.pk, "冒充回复")
    assert not NoticeReply.objects.exists()


def test_files_are_downloaded_only_by_the_sender_and_the_receivers_staff(people, sent):
    c = people
    attachment = sent.attachments.get()
    url = reverse("console:notice_attachment", args=[sent.pk, attachment.pk])
    assert client_for(c.town_a_media).get(url).status_code == 200
    assert client_for(c.county_secretary).get(url).status_code == 200
    outsider = f.staff("other_county", Role.ORG_ADMIN, f.OrganizationFactory(name="外县", kind="county"))
    assert client_for(outsider).get(url).status_code == 404
    reply = actions.reply_to_notice(c.town_a_secretary, receipt(sent, c.town_a).pk, "见附件", [pdf("a.pdf")])
    file_url = reverse("console:notice_reply_file", args=[sent.pk, reply.files.get().pk])
    assert client_for(c.town_b_admin).get(file_url).status_code == 404  # another receiver
    assert client_for(c.town_a_admin).get(file_url).status_code == 200
    response = client_for(c.county_admin).get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # A forged pair: our notice's address with another notice's file.
    other = actions.send_notice(c.county_admin, c.county.pk, to_townships(title="另一份通知"), [pdf()])
    assert (
        client_for(c.town_a_media)
        .get(reverse("console:notice_attachment", args=[sent.pk, other.attachments.get().pk]))
        .status_code
        == 404
    )


# --- The sender ---------------------------------------------------------------------------------------------


def test_one_click_reminds_the_unsigned_at_most_once_an_hour(people, sent):
    c = people
    actions.sign_notice(c.town_a_secretary, receipt(sent, c.town_a).pk)
    import time_machine

    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert actions.remind_unsigned(c.county_admin, sent.pk) == 1
        told = Notification.objects.filter(kind="publishing.notice_reminder")
        assert set(told.values_list("user__username", flat=True)) == {"town_b_admin"}
        assert actions.remind_unsigned(c.county_admin, sent.pk) == 0
        clock.shift(datetime.timedelta(minutes=61))
        assert actions.remind_unsigned(c.county_admin, sent.pk) == 1
    assert receipt(sent, c.town_b).reminders == 2
    with pytest.raises(PermissionDenied):
        actions.remind_unsigned(c.town_a_admin, sent.pk)


def test_the_sender_sees_the_receipts_filtered_and_the_count(people, sent):
    c = people
    actions.sign_notice(c.town_a_secretary, receipt(sent, c.town_a).pk)
    client = client_for(c.county_admin)
    page = client.get(reverse("console:notice", args=[sent.pk])).content.decode()
    assert "已签收 1/2" in page and "钱书记" in page
    unsigned = client.get(reverse("console:notice", args=[sent.pk]) + "?show=unsigned").content.decode()
    table = unsigned.split('data-testid="receipts"')[1]
    assert "西山乡" in table and "东城镇" not in table
    office = client.get(reverse("console:notices") + "?view=sent").content.decode()
    assert "已签收 1/2" in office
    # A receiver sees its own receipt, never who signed for another organization.
    other = client_for(c.town_b_admin).get(reverse("console:notice", args=[sent.pk])).content.decode()
    assert "钱书记" not in other and 'data-testid="receipts"' not in other


def test_withdrawing_needs_a_reason_and_stops_signing(people, sent):
    c = people
    with pytest.raises(InvalidInput, match="撤回的原因"):
        actions.withdraw_notice(c.county_admin, sent.pk, "")
    with pytest.raises(PermissionDenied):
        actions.withdraw_notice(c.town_a_admin, sent.pk, "误发")
    actions.withdraw_notice(c.county_admin, sent.pk, "内容有误，另行通知")
    sent.refresh_from_db()
    assert sent.state == Notice.State.WITHDRAWN and sent.withdraw_reason == "内容有误，另行通知"
    assert Notification.objects.filter(kind="publishing.notice_withdrawn").count() == 4
    with pytest.raises(ActionError, match="撤回"):
        actions.sign_notice(c.town_a_secretary, receipt(sent, c.town_a).pk)


def test_the_todo_line_lists_exactly_the_notices_to_sign(people, sent):
    c = people
    second = actions.send_notice(c.county_admin, c.county.pk, to_townships(title="第二份通知"))
    actions.sign_notice(c.town_a_admin, receipt(second, c.town_a).pk)
    actions.send_notice(c.county_admin, c.county.pk, to_townships(title="只给书记的通知", role=Role.SECRETARY))
    client = client_for(c.town_a_media)
    assert "有 1 份通知待签收" in client.get(reverse("console:dashboard")).content.decode()
    todo = next(t for t in entries(ToDo) if t.key == "publishing.notices_to_sign")
    page = client.get(reverse(todo.url_name) + "?" + todo.query).content.decode()
    listed = page.split('data-testid="received-notices"')[1].split("</ul>")[0]
    assert listed.count('class="card"') == 1 and sent.title in listed
    secretary = client_for(c.town_a_secretary).get(reverse("console:dashboard")).content.decode()
    assert "有 2 份通知待签收" in secretary


def test_usage_metrics_count_received_and_signed_on_time(people, sent):
    c = people
    actions.sign_notice(c.town_a_secretary, receipt(sent, c.town_a).pk)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    metric = {m.key: m for m in entries(UsageMetric)}
    assert metric["publishing.notices_received"].count(c.county, start, end) == 2
    assert metric["publishing.notices_received"].count(c.town_a, start, end) == 1
    assert metric["publishing.notices_signed_on_time"].count(c.county, start, end) == 1
    assert metric["publishing.notices_signed_on_time"].count(c.town_b, start, end) == 0
    import time_machine

    late = actions.send_notice(c.county_admin, c.county.pk, to_townships(title="当天截止的通知", reply_by=today))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        actions.sign_notice(c.town_b_admin, receipt(late, c.town_b).pk)
    assert metric["publishing.notices_signed_on_time"].count(c.town_b, start, end) == 0


def test_files_of_a_reply_are_removed_when_the_reply_fails(people, sent, settings):
    c = people
    r = receipt(sent, c.town_a)
    with pytest.raises(InvalidInput):
        actions.reply_to_notice(c.town_a_secretary, r.pk, "见附件", [pdf("a.pdf"), SimpleUploadedFile("b.exe", b"MZ")])
    assert not NoticeReply.objects.exists() and not NoticeReplyFile.objects.exists()


def test_a_double_submit_of_the_form_sends_one_notice_and_a_double_reply_is_one_reply(people):
    c = people
    client = client_for(c.county_admin)
    data = {
        "title": "关于做好冬季防火工作的通知",
        "body": "请各乡镇做好冬季防火工作。",
        "audience": "children",
        "subtree_root": c.county.pk,
    }
    first = client.post(reverse("console:notice_new", args=[c.county.pk]), data)
    second = client.post(reverse("console:notice_new", args=[c.county.pk]), data, follow=True)
    notice = Notice.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("console:notice", args=[notice.pk])
    assert "这份通知刚刚已经发出，没有重复发送" in second.content.decode()
    assert NoticeRecipient.objects.count() == 2
    assert Notification.objects.filter(kind="publishing.notice_received").count() == 4
    r = receipt(notice, c.town_a)
    url = reverse("console:notice_reply", args=[notice.pk, r.pk])
    secretary = client_for(c.town_a_secretary)
    for _ in range(2):
        assert secretary.post(url, {f"r{r.pk}-text": "已部署。"}).status_code == 302
    assert NoticeReply.objects.count() == 1


def test_the_pages_are_refused_to_those_outside_and_the_sender_actions_to_receivers(people, sent):
    c = people
    url = reverse("console:notice", args=[sent.pk])
    outsider = f.staff("other_county", Role.ORG_ADMIN, f.OrganizationFactory(name="外县", kind="county"))
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(c.village_a1_secretary).get(url).status_code == 404  # below a receiver: not a receiver
    assert client_for(c.nobody).get(url).status_code == 403
    # 西山乡's discipline officer reads the receipt of their organization but may not sign it.
    page = client_for(c.town_b_discipline).get(url).content.decode()
    assert (
        sent.title in page
        and 'action="' + reverse("console:notice_sign", args=[sent.pk, receipt(sent, c.town_b).pk]) not in page
    )
    receiver = client_for(c.town_a_admin)
    assert receiver.post(reverse("console:notice_withdraw", args=[sent.pk]), {"reason": "伪造"}).status_code == 403
    receiver.post(reverse("console:notice_remind", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.state == Notice.State.SENT and not NoticeRecipient.objects.filter(reminders__gt=0).exists()


def test_the_inbox_lists_unsigned_notices_first(people, sent):
    c = people
    newer = actions.send_notice(c.county_admin, c.county.pk, to_townships(title="较新的通知"))
    actions.sign_notice(c.town_a_secretary, receipt(newer, c.town_a).pk)
    page = client_for(c.town_a_secretary).get(reverse("console:notices")).content.decode()
    listed = page.split('data-testid="received-notices"')[1]
    assert listed.index(sent.title) < listed.index("较新的通知")


def test_the_form_offers_only_the_organizations_below(people):
    c = people
    page = client_for(c.town_a_admin).get(reverse("console:notice_new", args=[c.town_a.pk])).content.decode()
    assert c.village_a1.name in page and c.village_a2.name in page
    assert c.village_b1.name not in page and c.town_b.name not in page


def test_a_notice_past_its_reply_date_and_not_signed_off_is_marked_overdue(people, sent):
    c = people
    actions.sign_notice(c.town_a_secretary, receipt(sent, c.town_a).pk)
    # An earlier notice whose reply date has passed: 西山乡 has not signed it.
    Notice.objects.filter(pk=sent.pk).update(reply_by=timezone.localdate() - datetime.timedelta(days=1))
    inbox = client_for(c.town_b_admin).get(reverse("console:notices")).content.decode()
    line = inbox.split('data-testid="received-notices"')[1].split("</li>")[0]
    assert "未签收" in line and "已逾期" in line
    # Signed off late: not marked.
    signed = client_for(c.town_a_secretary).get(reverse("console:notices")).content.decode()
    assert "已逾期" not in signed.split('data-testid="received-notices"')[1]
    client = client_for(c.county_admin)
    office = client.get(reverse("console:notices") + "?view=sent").content.decode()
    assert "已签收 1/2 · " in office and "1 个单位逾期" in office
    table = client.get(reverse("console:notice", args=[sent.pk])).content.decode().split('data-testid="receipts"')[1]
    west, east = table.split("西山乡")[1].split("</tr>")[0], table.split("东城镇")[1].split("</tr>")[0]
    assert "已逾期" in west and "已逾期" not in east
    # Before the date nobody is overdue.
    Notice.objects.filter(pk=sent.pk).update(reply_by=timezone.localdate())
    assert "逾期" not in client.get(reverse("console:notices") + "?view=sent").content.decode()


def test_the_receipt_table_stacks_each_unit_under_labels_on_a_phone(people, sent):
    from django.contrib.staticfiles import finders

    c = people
    actions.reply_to_notice(c.town_a_secretary, receipt(sent, c.town_a).pk, "已收到，按时报送。", [])
    page = client_for(c.county_admin).get(reverse("console:notice", args=[sent.pk])).content.decode()
    table = page.split('<table class="table stacked" data-testid="receipts">')[1].split("</table>")[0]
    row = table.split("东城镇")[1].split("</tr>")[0]
    assert '<td data-label="已阅">' in row and '<td data-label="已签收">' in row
    assert '<td data-label="回复">' in row and "已收到，按时报送。" in row
    with open(finders.find("core/site.css"), encoding="utf-8") as css:
        rules = css.read().split("@media (max-width: 37.5rem) {\n  .table.stacked thead")[1].split("\n}\n")[0]
    assert ".table-wrap .table.stacked th, .table-wrap .table.stacked td { display: block;" in rules
    assert 'td[data-label]::before { content: attr(data-label) "："' in rules
