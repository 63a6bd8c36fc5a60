"""Moderation in a real browser: a resident's message with a flagged word is held; the village's moderator opens
the queue on a phone, approves one held message and removes another with a reason, and the log shows both. On a
390 px phone in standard and large text, and on a desktop: axe finds nothing serious and nothing is wider than the
screen at each stage."""

import pytest

from dangjian.conftest import assert_accessible
from dangjian.core.models import SensitiveWord
from dangjian.exchange import actions
from dangjian.exchange.models import Membership, Message, ModerationEntry, Room
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_held_message_is_approved_and_another_removed_from_the_queue(browser, live_server, county, width, large):
    SensitiveWord.objects.create(word="内部消息", level=SensitiveWord.Level.FLAG)
    author = f.resident("13800000001", real_name="王大成")
    room = f.room(county.village_a1, "王庄村民群", people=[author], audience=Room.Audience.RESIDENTS)
    Membership.objects.filter(user=author).update(nickname="老王")
    earlier = actions.post_message(author, room.pk, actions.MessageInput(body="内部消息：明天发鸡蛋"))

    # The resident writes a message with a flagged word: it waits for review.
    context, page = open_as(browser, live_server, width=width, large=large)
    sign_in(page, "13800000001")
    page.wait_for_load_state()
    page.goto(f"/rooms/{room.pk}/")
    page.locator("#id_body").fill("听说有内部消息，村口要修路了")
    submit(page, page.locator("#composer button[type=submit]"))
    held = Message.objects.exclude(pk=earlier.pk).get()
    assert held.state == Message.State.HELD and held.flagged_words == ["内部消息"]
    assert page.locator(f"#m{held.pk} .message-held").is_visible()
    _check(page, width)
    context.close()

    # The village's moderator approves it and removes the earlier one with a reason.
    context, page = open_as(browser, live_server, "a1_secretary", width=width, large=large)
    page.goto("/console/exchange/moderation/")
    item = page.locator(f"#q{held.pk}")
    assert item.locator("mark.flagged").first.inner_text() == "内部消息"
    _check(page, width)
    submit(page, item.get_by_role("button", name="审核通过"))
    assert page.locator(f"#q{held.pk}").count() == 0
    other = page.locator(f"#q{earlier.pk}")
    other.get_by_label("不通过的原因（可不填）").fill("谣言，没有这回事")
    submit(page, other.get_by_role("button", name="不通过并删除"))
    assert page.get_by_text("没有需要处理的消息。").is_visible()
    _check(page, width)
    held.refresh_from_db()
    earlier.refresh_from_db()
    assert held.state == Message.State.PUBLISHED and earlier.state == Message.State.REMOVED
    assert earlier.removed_reason == "谣言，没有这回事"

    submit(page, page.get_by_role("link", name="管理记录"))
    log = page.locator(".moderation-log")
    assert log.get_by_text("审核通过消息").is_visible() and log.get_by_text("谣言，没有这回事").is_visible()
    assert list(ModerationEntry.objects.values_list("action", flat=True)) == ["reject", "approve"]
    _check(page, width)
    context.close()
