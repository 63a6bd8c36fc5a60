"""The group robot's form: it only builds `robot_actions.RobotInput`; the action checks and saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Robot
from .robot_actions import RobotInput


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Robot.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label=pgettext_lazy("group robot", "Name"),
        max_length=50,
        help_text=_("For you to tell the robots apart, e.g. the group's name: 东城镇党建工作群."),
    )
    webhook = forms.CharField(
        label=_("Webhook address"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
        help_text=_("In the group: settings → group robots → add a robot → copy its webhook address."),
    )
    secret = forms.CharField(
        label=_("Signing secret (加签)"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_("DingTalk and Feishu only, when the robot's security setting is 加签 (signature)."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the saved signing secret"), required=False)
    push_articles = forms.BooleanField(label=_("Send published articles to this group"), required=False)
    push_notices = forms.BooleanField(label=_("Send notices to this group"), required=False)
    active = forms.BooleanField(label=pgettext_lazy("group robot", "Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: Robot | None = None, **kwargs):
        self.instance = instance or Robot()
        if instance is not None and instance.pk and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "name": instance.name,
                "push_articles": instance.push_articles,
                "push_notices": instance.push_notices,
                "active": instance.active,
                "version": instance.version,
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": Robot.Kind.DINGTALK,
                "push_articles": True,
                "push_notices": True,
                "active": True,
            }
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["webhook"].help_text = _(
                "Saved: %(hint)s. Leave empty to keep it; enter a new address to replace it."
            ) % {"hint": self.instance.webhook_hint}
            if self.instance.secret_encrypted:
                self.fields["secret"].help_text = _("A secret is saved. Leave empty to keep it.")
            else:
                del self.fields["clear_secret"]
        else:
            self.fields["webhook"].required = True
            del self.fields["clear_secret"]

    def to_input(self) -> RobotInput:
        data = self.cleaned_data
        return RobotInput(
            kind=data["kind"],
            name=data["name"],
            webhook=data.get("webhook") or "",
            secret=data.get("secret") or "",
            clear_secret=bool(data.get("clear_secret")),
            push_articles=data["push_articles"],
            push_notices=data["push_notices"],
            active=data["active"],
        )
