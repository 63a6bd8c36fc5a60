"""E-mail digests of a portal's new articles (double opt-in).

A citizen leaves an e-mail address on a portal's news page; a confirmation mail carries a link with a random
token, of which only a keyed hash is stored (core.fieldcrypt.lookup_hash). Until confirmed, nothing else is sent,
and an address never confirmed is deleted after UNCONFIRMED_DAYS. Requests are throttled per address and per
client (core.throttle). Every mail carries an unsubscribe link (and the List-Unsubscribe headers for one-click
unsubscribing) that deletes the address.

`send_digests()` (an hourly clock task) sends each confirmed subscription, at most once a day and not before
SEND_HOUR (Asia/Shanghai), the items its portal shows that were published since its last digest (its own,
pushed down from above, adopted from below); nothing when there is nothing new.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.core.fieldcrypt import lookup_hash
from dangjian.core.throttle import Throttle

from . import portal_queries
from .models import DigestSubscription

UNCONFIRMED_DAYS = 3
SEND_HOUR = 7
DIGEST_MAX_ITEMS = 30
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
logger = logging.getLogger(__name__)

# A confirmation mail at most this often per address (over every portal), and per client.
per_address = Throttle("digest-address", 3, 3600)
per_client = Throttle("digest-client", 10, 3600)


class Throttled(Exception):
    pass


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def token_hash(token: str) -> str:
    return lookup_hash(f"digest:{token}")


def unsubscribe_token(subscription: DigestSubscription) -> str:
    """The unsubscribe link's token in every mail: the subscription's id and a keyed hash of its stored token hash
    (so it can be made again for each digest without keeping the token, and cannot be made up)."""
    return f"{subscription.pk}-{lookup_hash(f'digest-unsubscribe:{subscription.token_hash}')[:32]}"


def find_by_unsubscribe_token(token: str) -> DigestSubscription | None:
    pk, _sep, mac = token.partition("-")
    if pk.isdigit() and len(mac) == 32:
        subscription = DigestSubscription.objects.filter(pk=int(pk)).select_related("organization").first()
        if subscription is not None and hmac.compare_digest(unsubscribe_token(subscription), token):
            return subscription
    return find_by_token(token)  # the confirmation mail's own token also unsubscribes


def find_by_token(token: str) -> DigestSubscription | None:
    if not token or len(token) > 100:
        return None
    return DigestSubscription.objects.filter(token_hash=token_hash(token)).select_related("organization").first()


def _headers(subscription: DigestSubscription) -> dict[str, str]:
    link = _url("publishing:digest_unsubscribe", subscription.organization_id, unsubscribe_token(subscription))
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _footer(subscription: DigestSubscription) -> str:
    link = _url("publishing:digest_unsubscribe", subscription.organization_id, unsubscribe_token(subscription))
    return _("To stop these mails and delete your address, open: %(link)s") % {"link": link}


def subscribe(organization, email: str, client: str) -> None:
    """Ask for a digest of the organization's news at `email`: a confirmation mail goes out (after commit).
    The same answer whether or not the address was already subscribed (nobody learns who reads what)."""
    email = email.strip().lower()
    if per_address.is_locked(email) or per_client.is_locked(client):
        raise Throttled
    per_address.record_failure(email)
    per_client.record_failure(client)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        subscription = (
            DigestSubscription.objects.select_for_update().filter(organization=organization, email=email).first()
        )
        if subscription is not None and subscription.confirmed_at is not None:
            message = _already_subscribed_mail(subscription)
        else:
            if subscription is None:
                subscription = DigestSubscription(organization=organization, email=email)
            subscription.token_hash = token_hash(token)
            subscription.created_at = timezone.now()
            try:
                with transaction.atomic():
                    subscription.save()
            except IntegrityError:  # the same address asked twice at the same moment: the first one stands
                return
            message = _confirmation_mail(subscription, token)
        transaction.on_commit(lambda: _send_quietly(message))


def _send_quietly(message: EmailMessage) -> None:
    """A confirmation mail that cannot go out now: the person asks again (nothing personal is logged)."""
    try:
        message.send()
    except Exception:  # noqa: BLE001 - any failure of the mail server
        logger.warning("a digest confirmation mail could not be sent")


def _confirmation_mail(subscription: DigestSubscription, token: str) -> EmailMessage:
    organization = subscription.organization
    with translation.override(settings.LANGUAGE_CODE):
        link = _url("publishing:digest_confirm", organization.pk, token)
        subject = _("[%(site)s] Confirm your subscription to the news of %(name)s") % {
            "site": settings.SITE_NAME,
            "name": organization.short_name or organization.name,
        }
        body = "\n\n".join(
            [
                _("Someone (we hope you) asked for a daily e-mail of the news of %(name)s at this address.")
                % {"name": organization.name},
                _("To confirm, open this link within %(days)s days: %(link)s")
                % {"days": UNCONFIRMED_DAYS, "link": link},
                _("If it was not you, ignore this mail: the address is deleted if nobody confirms it."),
                _("To stop these mails and delete your address, open: %(link)s")
                % {"link": _url("publishing:digest_unsubscribe", organization.pk, token)},
            ]
        )
    unsubscribe = _url("publishing:digest_unsubscribe", organization.pk, token)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(subject=subject, body=body, to=[subscription.email], headers=headers)


def _already_subscribed_mail(subscription: DigestSubscription) -> EmailMessage:
    organization = subscription.organization
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(site)s] You already receive the news of %(name)s") % {
            "site": settings.SITE_NAME,
            "name": organization.short_name or organization.name,
        }
        body = "\n\n".join(
            [
                _("This address already receives the daily news of %(name)s; nothing has changed.")
                % {"name": organization.name},
                _footer(subscription),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=[subscription.email], headers=_headers(subscription))


def confirm(token: str) -> DigestSubscription | None:
    subscription = find_by_token(token)
    if subscription is None:
        return None
    if subscription.confirmed_at is None:
        now = timezone.now()
        DigestSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, last_sent_at=now
        )
        subscription.confirmed_at = subscription.last_sent_at = now
    return subscription


def unsubscribe(token: str) -> DigestSubscription | None:
    """Delete the subscription (its address with it). Returns it (unsaved) or None for an unknown token."""
    subscription = find_by_unsubscribe_token(token)
    if subscription is not None:
        DigestSubscription.objects.filter(pk=subscription.pk).delete()
    return subscription


def forget_unconfirmed(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=UNCONFIRMED_DAYS)
    deleted, _rows = DigestSubscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


def _send_from(now: datetime.datetime) -> datetime.datetime | None:
    """Today's sending time (SEND_HOUR in Shanghai), or None before it."""
    local = now.astimezone(SHANGHAI)
    if local.hour < SEND_HOUR:
        return None
    return local.replace(hour=SEND_HOUR, minute=0, second=0, microsecond=0)


def _digest_mail(subscription: DigestSubscription, articles: list) -> EmailMessage:
    organization = subscription.organization
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "[%(site)s] %(name)s: %(count)d new article",
            "[%(site)s] %(name)s: %(count)d new articles",
            len(articles),
        ) % {"site": settings.SITE_NAME, "name": organization.short_name or organization.name, "count": len(articles)}
        lines = [_("New on the portal of %(name)s:") % {"name": organization.name}, ""]
        for article in articles:
            lines.append(f"· {article.title}")
            when = article.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if article.organization_id != organization.pk:
                lines.append("  " + _("%(date)s, source: %(name)s") % {"date": when, "name": article.organization.name})
            else:
                lines.append(f"  {when}")
            if article.summary:
                lines.append(f"  {article.summary}")
            lines.append("  " + _url("publishing:article", organization.pk, article.pk))
            lines.append("")
        lines.append(_("All news: %(link)s") % {"link": _url("publishing:news", organization.pk)})
        lines.append("")
        lines.append(_footer(subscription))
    return EmailMessage(subject=subject, body="\n".join(lines), to=[subscription.email], headers=_headers(subscription))


def send_digests(now: datetime.datetime | None = None) -> dict:
    """Send each confirmed subscription the items published since its last digest (at most once a day, from
    SEND_HOUR); forget addresses never confirmed."""
    now = now or timezone.now()
    counts = {"sent": 0, "nothing_new": 0, "failed": 0, "forgotten": forget_unconfirmed(now)}
    send_from = _send_from(now)
    if send_from is None:
        return counts
    due = (
        DigestSubscription.objects.filter(confirmed_at__isnull=False, last_sent_at__lt=send_from)
        .select_related("organization")
        .order_by("pk")
    )
    for subscription in due.iterator(chunk_size=200):
        if subscription.organization.closed_at is not None:
            continue
        since = subscription.last_sent_at
        articles = list(
            portal_queries.published_since(subscription.organization, since).filter(published_at__lte=now)[
                :DIGEST_MAX_ITEMS
            ]
        )
        if not articles:
            counts["nothing_new"] += 1
            continue
        # Claim it (another clock run may be at the same subscription); give it back if the mail fails.
        claimed = DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=since).update(last_sent_at=now)
        if not claimed:
            continue
        try:
            _digest_mail(subscription, articles).send()
        except Exception:  # noqa: BLE001 - a mail server failure: tried again at the next hour
            DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=now).update(last_sent_at=since)
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts
