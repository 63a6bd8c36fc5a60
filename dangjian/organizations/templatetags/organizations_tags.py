"""Template tags of the public portal."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..middleware import FROM_PARAMETER, landing
from ..models import Organization

register = template.Library()


@register.simple_tag(takes_context=True)
def closed_notice(context) -> str:
    """Why a villager who followed an old link (a WeChat message, a printed QR code) of a closed organization is
    on this page: the redirect added `from=<id>`. Empty unless that organization is closed and leads here. The
    page with the notice is cached under its own address (core.cache keys hold the query string)."""
    request, organization = context.get("request"), context.get("org")
    raw = request.GET.get(FROM_PARAMETER, "") if request is not None else ""
    if organization is None or not raw.isdigit() or len(raw) > 12:
        return ""
    old = Organization.objects.filter(pk=int(raw), closed_at__isnull=False).first()
    if old is None:
        return ""
    target, merged = landing(old)
    if target is None or target.pk != organization.pk:
        return ""
    names = {"old": old.short_name or old.name, "new": organization.short_name or organization.name}
    if merged:
        return _("%(old)s has been merged into %(new)s. You are now on the page of %(new)s.") % names
    return _("%(old)s has been closed. You are now on the page of %(new)s, the organization above it.") % names
