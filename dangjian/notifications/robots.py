"""The group robots' adapters (push.Adapter): 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书 (Feishu/Lark), each in the
webhook format its service documents, and the checks a webhook address must pass before it is saved.

- WeCom: POST the webhook (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...) with a "news" message (one
  article: title, description, url, picurl); taken when the answer's errcode is 0.
- DingTalk: an "actionCard" (markdown text with the image and summary, one button 阅读全文 to the link); with a
  加签 secret the URL gets `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret, "<ms>\\n<secret>")>`;
  taken when errcode is 0.
- Feishu: an "interactive" card (header, markdown summary, a button to the link); with a secret the body gets
  "timestamp" (seconds, a string) and "sign" = base64 HMAC-SHA256 keyed with "<seconds>\\n<secret>" over nothing;
  taken when code (or the older StatusCode) is 0.

Only http(s) addresses on `settings.ROBOT_ALLOWED_HOSTS` are accepted (loopback too with ROBOT_ALLOW_LOOPBACK), so
a webhook cannot make the server call an intranet address; the delivery checks again before each request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _

from .adapters import Adapter, PushMessage, register_adapter

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Which service answers at which host: a DingTalk robot with a WeCom address is a mistake worth naming.
SERVICE_HOSTS = {
    "wecom": {"qyapi.weixin.qq.com"},
    "dingtalk": {"oapi.dingtalk.com"},
    "feishu": {"open.feishu.cn", "open.larksuite.com"},
}
MAX_WEBHOOK_LENGTH = 500


class WebhookRefused(ValueError):
    """A webhook address (or secret) that may not be used; the message says why, in the reader's words."""


def _b64_hmac(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(key=secret, msg="<timestamp ms>\\n<secret>")), not yet URL-encoded."""
    return _b64_hmac(secret.encode(), f"{timestamp_ms}\n{secret}".encode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key="<timestamp s>\\n<secret>", msg=b""))."""
    return _b64_hmac(f"{timestamp_s}\n{secret}".encode(), b"")


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown_text(text: str) -> str:
    """Plain text shown inside markdown: characters that would start markup are escaped."""
    for char in "\\`*_[]()#>!|":
        text = text.replace(char, "\\" + char)
    return text


class WeComAdapter(Adapter):
    kind = "wecom"

    def request(self, robot, message: PushMessage, webhook: str, secret: str) -> tuple[str, dict]:
        article = {
            "title": _cut(message.title, 60),
            "description": _cut(" · ".join(x for x in (message.summary, message.source) if x), 150),
            "url": message.url,
        }
        if message.image_url:
            article["picurl"] = message.image_url
        return webhook, {"msgtype": "news", "news": {"articles": [article]}}

    def accepted(self, status: int, body: dict) -> tuple[bool, str]:
        return _errcode_answer(body, "errcode", "errmsg")


class DingTalkAdapter(Adapter):
    kind = "dingtalk"

    def request(self, robot, message: PushMessage, webhook: str, secret: str) -> tuple[str, dict]:
        title = _cut(message.title, 60)
        lines = []
        if message.image_url:
            lines.append(f"![]({message.image_url})")
        lines.append(f"### {_markdown_text(title)}")
        if message.summary:
            lines.append(_markdown_text(_cut(message.summary, 200)))
        if message.source:
            lines.append(f"> {_markdown_text(message.source)}")
        body = {
            "msgtype": "actionCard",
            "actionCard": {
                "title": title,
                "text": "\n\n".join(lines),
                "btnOrientation": "0",
                "singleTitle": _("Read more"),
                "singleURL": message.url,
            },
        }
        url = webhook
        if secret:
            timestamp = int(time.time() * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp))
            url = f"{webhook}{'&' if '?' in webhook else '?'}timestamp={timestamp}&sign={sign}"
        return url, body

    def accepted(self, status: int, body: dict) -> tuple[bool, str]:
        return _errcode_answer(body, "errcode", "errmsg")


class FeishuAdapter(Adapter):
    kind = "feishu"

    def request(self, robot, message: PushMessage, webhook: str, secret: str) -> tuple[str, dict]:
        elements: list[dict] = []
        if message.summary:
            elements.append({"tag": "div", "text": {"tag": "lark_md", "content": _cut(message.summary, 200)}})
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": _("Read more")},
                        "type": "primary",
                        "url": message.url,
                    }
                ],
            }
        )
        if message.source:
            elements.append({"tag": "note", "elements": [{"tag": "plain_text", "content": message.source}]})
        body: dict = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {"template": "red", "title": {"tag": "plain_text", "content": _cut(message.title, 60)}},
                "elements": elements,
            },
        }
        if secret:
            timestamp = int(time.time())
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return webhook, body

    def accepted(self, status: int, body: dict) -> tuple[bool, str]:
        code = body.get("code", body.get("StatusCode"))
        if code == 0:
            return True, ""
        words = body.get("msg") or body.get("StatusMessage") or ""
        return False, f"{code}: {words}" if code is not None else str(words)


def _errcode_answer(body: dict, code_key: str, words_key: str) -> tuple[bool, str]:
    code = body.get(code_key)
    if code == 0:
        return True, ""
    return False, f"{code}: {body.get(words_key, '')}"


for _adapter in (WeComAdapter(), DingTalkAdapter(), FeishuAdapter()):
    register_adapter(_adapter)


# --- Which addresses may be used ------------------------------------------------------------------------------


def allowed_host(host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    if host in {h.lower() for h in settings.ROBOT_ALLOWED_HOSTS}:
        return True
    return bool(settings.ROBOT_ALLOW_LOOPBACK) and host in LOOPBACK_HOSTS


def check_webhook(kind: str, url: str) -> str:
    """The webhook address, stripped, or WebhookRefused saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise WebhookRefused(_("Enter the robot's webhook address."))
    if len(url) > MAX_WEBHOOK_LENGTH or any(c.isspace() for c in url):
        raise WebhookRefused(_("This is not a webhook address: copy it again from the group robot's settings."))
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookRefused(
            _("This is not a webhook address: copy it again from the group robot's settings.")
        ) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise WebhookRefused(_("The webhook address must start with https://."))
    if parts.username or parts.password:
        raise WebhookRefused(_("This is not a webhook address: copy it again from the group robot's settings."))
    if not allowed_host(host):
        raise WebhookRefused(
            _(
                "Only the group robots of WeCom, DingTalk and Feishu can be used: the address must be on %(hosts)s "
                "(this one is on %(host)s)."
            )
            % {"hosts": "、".join(settings.ROBOT_ALLOWED_HOSTS), "host": host}
        )
    if host not in LOOPBACK_HOSTS:
        if parts.scheme != "https" or port not in (None, 443):
            raise WebhookRefused(_("The webhook address must start with https://."))
        for other, hosts in SERVICE_HOSTS.items():
            if host in hosts and other != kind:
                raise WebhookRefused(
                    _("This address belongs to a %(service)s robot: choose that kind, or copy the right address.")
                    % {"service": service_name(other)}
                )
    return url


def check_secret(kind: str, secret: str) -> str:
    secret = (secret or "").strip()
    if not secret:
        return ""
    if kind == "wecom":
        raise WebhookRefused(_("WeCom group robots have no signing secret: leave it empty."))
    if len(secret) > 200 or any(c.isspace() for c in secret):
        raise WebhookRefused(_("This is not a signing secret: copy it again from the group robot's settings."))
    return secret


def service_name(kind: str) -> str:
    return {"wecom": _("WeCom"), "dingtalk": _("DingTalk"), "feishu": _("Feishu")}.get(kind, kind)


def webhook_hint(url: str) -> str:
    """What the pages and the history show of a saved webhook: its scheme and host and the last 4 characters
    (`https://oapi.dingtalk.com/…3f9a`), never the key in between."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc[:60]}/…{url[-4:]}"


def secrets_of(webhook: str, secret: str) -> list[str]:
    """The parts of a webhook and secret that must never appear in an error or a log: the query's values (the
    key or access token), the path's last part (Feishu's hook id) and the secret."""
    found = [secret] if secret else []
    parts = urllib.parse.urlsplit(webhook)
    for _name, value in urllib.parse.parse_qsl(parts.query):
        if len(value) >= 4:
            found.append(value)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if len(last) >= 16:
        found.append(last)
    return found


def scrub(text: str, hidden: list[str]) -> str:
    for value in hidden:
        text = text.replace(value, "***")
        quoted = urllib.parse.quote(value, safe="")
        if quoted != value:
            text = text.replace(quoted, "***")
    return text
