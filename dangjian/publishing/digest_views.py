"""A portal's e-mail digest: subscribe (double opt-in), confirm, unsubscribe (digest.py does the work)."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from dangjian.core.throttle import client_key
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import digest

SECTION = "news"


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


def subscribe(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                digest.subscribe(organization, form.cleaned_data["email"], client_key(request))
            except digest.Throttled:
                form.add_error(None, _("Too many requests from this address or this device. Try again in an hour."))
                status = 429
            else:
                context.update(sent=True, days=digest.UNCONFIRMED_DAYS)
                return render(request, "publishing/digest/subscribe.html", context)
        else:
            status = 400
    context.update(form=form, sent=False)
    return render(request, "publishing/digest/subscribe.html", context, status=status)


@csrf_exempt  # the link's token is the secret; mail programs unsubscribe with a one-click POST (RFC 8058)
def confirm(request, org_id: int, token: str):
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    subscription = digest.find_by_token(token)
    if subscription is None or subscription.organization_id != organization.pk:
        return render(request, "publishing/digest/link_invalid.html", context, status=404)
    if request.method == "POST":
        digest.confirm(token)
        context.update(confirmed=True)
    context.update(subscription=subscription, token=token)
    return render(request, "publishing/digest/confirm.html", context)


@csrf_exempt
def unsubscribe(request, org_id: int, token: str):
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    subscription = digest.find_by_unsubscribe_token(token)
    if subscription is None or subscription.organization_id != organization.pk:
        return render(request, "publishing/digest/link_invalid.html", context, status=404)
    if request.method == "POST":
        digest.unsubscribe(token)
        context.update(done=True)
    context.update(token=token)
    return render(request, "publishing/digest/unsubscribe.html", context)
