"""Messages in a real browser, on a 390 px phone in both text sizes and on a desktop: the village secretary replies
to a resident's message, inserts an emoji, sends a picture (its thumbnail shows), and recalls a message sent by
mistake. The page stays accessible and nothing is wider than the screen."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dangjian.conftest import assert_accessible
from dangjian.exchange import actions
from dangjian.exchange.models import Membership, Message, Room
from dangjian.tests_support import factories as f
from dangjian.tests_support.browser import assert_fits, open_as, submit, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, width: int) -> None:
    assert_accessible(page)
    assert_fits(page, width)


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "large"), [(390, False), (390, True), (1280, False)], ids=["standard-text", "large-text", "desktop"]
)
def test_a_secretary_replies_sends_an_emoji_and_a_picture_and_recalls_a_message(
    browser, live_server, county, width, large
):
    secretary = county.village_a1_secretary
    resident = f.resident("13700000001", real_name="王大妈")
    room = f.room(county.village_a1, "王庄村民群", audience=Room.Audience.RESIDENTS)
    Membership.objects.create(room=room, user=secretary, nickname="王书记", role=Membership.Role.ADMIN)
    Membership.objects.create(room=room, user=resident, nickname="村东王大妈")
    question = actions.post_message(
        resident, room.pk, actions.MessageInput(body="@王书记 请问今年的医保什么时候开始交？我家老人腿脚不便，能代缴吗")
    )

    context, page = open_as(browser, live_server, secretary.username, width=width, large=large)
    page.goto(f"/rooms/{room.pk}/")
    assert page.locator(f"#m{question.pk} .mention-me").inner_text() == "@王书记"
    check(page, width)

    # Reply to the resident's message: the composer quotes it, with a way to cancel.
    submit(page, page.get_by_role("link", name="回复村东王大妈"))
    quoted = page.get_by_test_id("composer-reply")
    assert "请问今年的医保" in quoted.inner_text() and quoted.get_by_role("link", name="取消回复").is_visible()
    check(page, width)
    page.get_by_label("消息", exact=True).fill("可以代缴，带上老人的身份证到村委会就行")
    # An emoji from the 表情 row goes in at the cursor.
    page.get_by_text("表情", exact=True).click()
    page.get_by_role("button", name="👍").click()
    assert page.get_by_label("消息", exact=True).input_value().endswith("就行👍")
    check(page, width)
    submit(page, page.get_by_role("button", name="发送"))
    reply = Message.objects.get(author=secretary, reply_to=question)
    assert reply.body.endswith("👍")
    shown = page.locator(f"#m{reply.pk}")
    assert "村东王大妈" in shown.locator(".message-reply").inner_text() and "👍" in shown.inner_text()

    # A picture: its thumbnail shows in the conversation, linked to the whole picture.
    page.get_by_label("图片", exact=True).set_input_files(
        files=[{"name": "通知.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    submit(page, page.get_by_role("button", name="发送"))
    picture = Message.objects.get(author=secretary, kind=Message.Kind.IMAGE)
    thumb = page.locator(f"#m{picture.pk} .message-image img")
    thumb.scroll_into_view_if_needed()
    selector = f"#m{picture.pk} .message-image img"
    wait_until(page, f"document.querySelector('{selector}').complete")
    assert page.evaluate(f"document.querySelector('{selector}').naturalWidth") == 360
    check(page, width)

    # A message sent by mistake is recalled with its 撤回 button.
    page.get_by_label("消息", exact=True).fill("明天停水（发错群了）")
    submit(page, page.get_by_role("button", name="发送"))
    wrong = Message.objects.get(author=secretary, body="明天停水（发错群了）")
    submit(page, page.locator(f"#m{wrong.pk}").get_by_role("button", name="撤回"))
    assert "王书记撤回了一条消息" in page.locator(f"#m{wrong.pk}").inner_text()
    assert "明天停水" not in page.locator("#messages").inner_text()
    wrong.refresh_from_db()
    assert wrong.state == Message.State.RECALLED
    check(page, width)
    context.close()
