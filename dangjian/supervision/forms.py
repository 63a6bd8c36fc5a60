import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.forms import PersonForm
from dangjian.core.forms import MultipleFileField
from dangjian.organizations.choices import indented_choices
from dangjian.organizations.models import Organization

from .models import SUBCATEGORIES, Discipline, Disposal
from .routing import expected_units, unit_title

MAX_EVIDENCE = 10


def _prepare_evidence(upload):
    from .evidence import prepare_evidence

    return prepare_evidence(upload)


def evidence_field(**kwargs) -> MultipleFileField:
    """Images lose their metadata, other allowed types are kept (`evidence.prepare_evidence`)."""
    return MultipleFileField(
        prepare=_prepare_evidence, max_files=MAX_EVIDENCE, too_many=_("At most %(n)s files can be sent."), **kwargs
    )


def report_organizations():
    return Organization.objects.open().exclude(kind=Organization.Kind.GROUP).order_by("path")[:2000]


# The disciplines in the order a villager meets them, each with everyday words for what it covers.
DISCIPLINE_ORDER = [
    Discipline.MASSES,
    Discipline.INTEGRITY,
    Discipline.WORK,
    Discipline.ORGANIZATIONAL,
    Discipline.LIFE,
    Discipline.POLITICAL,
]
DISCIPLINE_HINTS = {
    Discipline.MASSES: _("Discipline towards the masses: making people run around, holding back subsidies"),
    Discipline.INTEGRITY: _("Integrity discipline: taking money or gifts, favouring relatives, banquets"),
    Discipline.WORK: _("Work discipline: neglecting duties, meddling in matters"),
    Discipline.ORGANIZATIONAL: _("Organizational discipline: buying votes, appointing people against the rules"),
    Discipline.LIFE: _("Discipline in private life: extravagance, bad family conduct"),
    Discipline.POLITICAL: _("Political discipline: cliques, obstructing an investigation"),
}
PLEASE_CHOOSE = pgettext_lazy("report form", "Please choose")

SUBCATEGORY_CHOICES = [("", _("Choose the kind of conduct"))] + [
    (str(Discipline(key).label), [(name, name) for name in SUBCATEGORIES[key]]) for key in DISCIPLINE_ORDER
]


class ReportForm(forms.Form):
    # One-time token of the rendered form: the receipt is derived from it (receipts.receipt_for_token),
    # so posting the same form again (a reload) shows the same report instead of filing another.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    real_name = forms.TypedChoiceField(
        label=_("How do you report?"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Anonymously")), ("1", _("Under my real name (handled with priority)"))],
        widget=forms.RadioSelect,
        initial="0",
    )
    reporter_name = forms.CharField(label=_("Your name (real-name reports only)"), max_length=40, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone (real-name reports only)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    # No discipline or kind is chosen for the reporter: both start at "请选择".
    discipline = forms.ChoiceField(
        label=_("Which discipline was broken?"),
        choices=[("", PLEASE_CHOOSE), *[(key.value, DISCIPLINE_HINTS[key]) for key in DISCIPLINE_ORDER]],
        error_messages={"required": _("Choose which discipline was broken.")},
    )
    # Without JavaScript every kind shows, grouped by discipline; report.js keeps only the chosen one's.
    subcategory = forms.ChoiceField(
        label=_("What kind of conduct?"),
        choices=SUBCATEGORY_CHOICES,
        error_messages={"required": _("Choose the kind of conduct")},
    )
    person = forms.CharField(
        label=_("Person reported"),
        max_length=40,
        error_messages={"required": _("Write the name or the post of the person reported.")},
    )
    post = forms.CharField(label=_("Their post"), max_length=60, required=False)
    organization = forms.TypedChoiceField(label=_("Their organization"), coerce=int)
    what = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Facts you know: what, who else was present, amounts. Up to 5,000 characters."),
        error_messages={"required": _("Write what happened.")},
    )
    when = forms.CharField(label=_("When"), max_length=100, required=False)
    where = forms.CharField(label=_("Where"), max_length=100, required=False)
    evidence = evidence_field(
        label=_("Evidence files (optional, up to 10)"),
        required=False,
        help_text=_(
            "Every file gets a neutral name (Evidence1.jpg, Evidence2.pdf ...); the name on your phone is not kept. "
            "Photos have their hidden data (place, device, time) removed. Other files (PDF, Word, Excel, ZIP) are "
            "kept exactly as they are, so their hidden data is not removed: remove it yourself if it could identify you."
        ),
    )
    false_accusation = forms.BooleanField(
        label=_(
            "I report facts as I know them. I understand that fabricating facts to frame someone (诬告陷害) "
            "is a violation of discipline and law and is itself investigated."
        ),
        error_messages={"required": _("Please confirm the declaration above.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = list(report_organizations())
        cast(forms.TypedChoiceField, self.fields["organization"]).choices = indented_choices(organizations)
        # Who receives a report about each organization ("将送达：清河镇纪委"), computed here for every
        # choice, so changing the place asks the server nothing.
        self.receiving_units = {
            org_id: unit_title(unit) if unit is not None else ""
            for org_id, unit in expected_units(organizations).items()
        }

    def receiving_unit(self) -> str:
        """The unit a report about the chosen (or first offered) organization goes to, as the reporter reads it."""
        value = self["organization"].value()
        try:
            return self.receiving_units.get(int(value), "")
        except (TypeError, ValueError):
            return ""

    def clean_organization(self):
        organization = Organization.objects.filter(pk=self.cleaned_data["organization"]).first()
        if organization is None:
            raise ValidationError(_("Choose an organization from the list."))
        return organization

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("real_name"):
            if not (data.get("reporter_name") or "").strip():
                self.add_error("reporter_name", _("A real-name report needs your name."))
            phone = re.sub(r"\s", "", data.get("reporter_phone") or "")
            if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", phone):
                self.add_error("reporter_phone", _("A real-name report needs a phone number we can call back."))
        else:
            data["reporter_name"] = data["reporter_phone"] = ""
        subcategory, discipline = data.get("subcategory"), data.get("discipline")
        if subcategory and discipline and subcategory not in SUBCATEGORIES.get(discipline, []):
            belongs = [Discipline(key).label for key, names in SUBCATEGORIES.items() if subcategory in names]
            self.add_error(
                "subcategory",
                _(
                    "“%(kind)s” is listed under %(other)s. Choose a kind of conduct listed under %(chosen)s, "
                    "or choose %(other)s above."
                )
                % {"kind": subcategory, "other": belongs[0] if belongs else "", "chosen": Discipline(discipline).label},
            )
        return data


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code (16 digits)"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}, render_value=True),
    )


class ReporterMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer or addition"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReporterEvidenceForm(forms.Form):
    evidence = evidence_field(label=_("More evidence"))


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you object to the result?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class OfficerMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the reporter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


# A select's blank: Django's own label, which the site translates as plain 请选择.
CHOOSE = _("- Select an option -")


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Reason / result (the reporter reads it)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    disposal = forms.ChoiceField(label=_("Disposal"), choices=[("", CHOOSE), *Disposal.choices], required=False)
    lower_unit = forms.TypedChoiceField(label=_("Lower unit"), coerce=int, required=False, empty_value=None)

    # The fields each step shows (besides the version).
    FIELDS = {
        "accept": ["text"],
        "not_accept": ["text"],
        "forward": ["lower_unit", "text"],
        "register": [],
        "dispose": ["disposal"],
        "conclude": ["text"],
        "feed_back": ["text"],
        "archive": [],
    }

    def __init__(self, *args, action: str, lower_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["lower_unit"]).choices = [("", CHOOSE), *lower_units]
        for name in ["text", "disposal", "lower_unit"]:
            if name not in self.FIELDS[action]:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ["text", "disposal", "lower_unit"]:
            data.setdefault(name, "" if name != "lower_unit" else None)
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from the authenticator app"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class GrantForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("Officer"), coerce=int)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["officer"]).choices = officers


class RecoveryForm(forms.Form):
    recovery = forms.CharField(label=_("Recovery key"), max_length=80)


class OfficerForm(PersonForm):
    """Who is to be made a discipline officer of a unit."""
