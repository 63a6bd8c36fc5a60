"""E-mail notifications carrying files: stored once, read when the mail is sent, within the limits, a file gone by
then left out with a word in the mail; received by a real SMTP server."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dangjian.notifications import attachments, kinds, mail
from dangjian.notifications.api import MailAttachment, notify
from dangjian.notifications.kinds import CONSOLE, MAIL, Kind
from dangjian.notifications.models import Notification
from dangjian.tests_support import factories as f
from dangjian.tests_support.mailserver import MailServer

kinds.register(Kind("tests.with_files", "Files for %(name)s", channels=(CONSOLE, MAIL)))

pytestmark = pytest.mark.django_db


def _stored(name: str, content: bytes) -> str:
    return default_storage.save(f"tests/{name}", ContentFile(content))


def test_the_mail_carries_the_files_byte_for_byte(settings):
    people = [f.UserFactory(email="a@example.org"), f.UserFactory(email="b@example.org")]
    sheet = _stored("report.xlsx", b"PK\x03\x04 workbook")
    pdf = _stored("report.pdf", b"%PDF-1.7 report")
    notify(
        people,
        "tests.with_files",
        name="A",
        attachments=[
            MailAttachment(
                "测试县/报告.xlsx", sheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            MailAttachment("测试县报告.pdf", pdf, "application/pdf"),
        ],
    )
    row = Notification.objects.first()
    assert [(a["name"], a["size"]) for a in row.attachments] == [("测试县_报告.xlsx", 13), ("测试县报告.pdf", 15)]
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        assert mail.deliver_pending_mail()["sent"] == 2
    assert sorted(m["to"][0] for m in server.messages) == ["a@example.org", "b@example.org"]
    got = server.messages[0]["attachments"]
    assert [(a["filename"], a["content_type"], a["content"]) for a in got] == [
        (
            "测试县_报告.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK\x03\x04 workbook",
        ),
        ("测试县报告.pdf", "application/pdf", b"%PDF-1.7 report"),
    ]
    assert server.messages[0]["body"].startswith("Files for A")


def test_attachments_beyond_the_limits_or_not_stored_are_refused(settings):
    person = f.UserFactory(email="a@example.org")
    settings.MAIL_ATTACHMENTS_MAX_BYTES = 10
    settings.MAIL_ATTACHMENTS_MAX_COUNT = 2
    big = [MailAttachment("big.pdf", _stored("big.pdf", b"x" * 11))]
    with pytest.raises(ValueError, match="at most 10"):
        notify([person], "tests.with_files", name="A", attachments=big)
    assert not attachments.within_limits(big)
    small = [MailAttachment(f"{n}.txt", _stored(f"{n}.txt", b"x")) for n in range(3)]
    with pytest.raises(ValueError, match="at most 2 attachments"):
        notify([person], "tests.with_files", name="A", attachments=small)
    with pytest.raises(ValueError, match="not in the storage"):
        notify([person], "tests.with_files", name="A", attachments=[MailAttachment("x.pdf", "tests/missing.pdf")])
    assert attachments.within_limits(small[:2])
    assert not Notification.objects.exists()


def test_a_file_gone_before_the_mail_is_sent_is_left_out_and_the_mail_says_so(settings):
    person = f.UserFactory(email="a@example.org")
    kept, gone = _stored("kept.pdf", b"%PDF kept"), _stored("gone.pdf", b"%PDF gone")
    notify(
        [person],
        "tests.with_files",
        name="A",
        attachments=[MailAttachment("保留.pdf", kept, "application/pdf"), MailAttachment("已删.pdf", gone)],
    )
    default_storage.delete(gone)
    with MailServer() as server:
        settings.MAILERS = server.mailers()
        assert mail.deliver_pending_mail()["sent"] == 1
    message = server.messages[0]
    assert [a["filename"] for a in message["attachments"]] == ["保留.pdf"]
    assert "以下附件已不再保存，未能随邮件发送：已删.pdf。" in message["body"]


def test_a_shown_name_cannot_carry_a_path_or_control_characters():
    assert attachments.safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert attachments.safe_name("报告\r\nBcc: x.pdf") == "报告_Bcc_ x.pdf"
    assert attachments.safe_name("") == "attachment"
    assert len(attachments.safe_name("长" * 300 + ".xlsx")) == attachments.NAME_MAX
    assert attachments.safe_name("长" * 300 + ".xlsx").endswith(".xlsx")
