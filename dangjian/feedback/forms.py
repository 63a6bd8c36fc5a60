import datetime
import re
import unicodedata
import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import ChoiceChips, MultipleFileField, MultipleFileInput, picker_attrs
from dangjian.core.uploads import process_photo
from dangjian.notifications import forms as code_forms
from dangjian.notifications import sms
from dangjian.organizations.choices import indented_choices
from dangjian.organizations.models import Organization

from . import configuration
from .models import Category, DispatchRule, Rating, ReplyTemplate, TimeLimit

MAX_PHOTOS = 6  # per form; the actions check it too (MAX_PHOTOS_PER_SUBMISSION)
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def photo_field(**kwargs) -> MultipleFileField:
    return MultipleFileField(
        prepare=process_photo, max_files=MAX_PHOTOS, too_many=_("At most %(n)s photos can be sent."), **kwargs
    )


def place_choices(portal: Organization) -> list:
    """The portal's own organization and every organization below it, grouped by township."""
    orgs = list(portal.subtree().exclude(kind=Organization.Kind.GROUP).order_by("path"))
    return indented_choices(orgs, top=portal, short=True)


class SubmitForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput)
    # Messages that say what to do, not "this field is required" (issue 11 item 6).
    category = forms.ChoiceField(
        label=_("Type"),
        choices=Category.choices,
        widget=ChoiceChips,
        error_messages={"required": _("Please choose the type.")},
    )
    place = forms.TypedChoiceField(
        label=_("Where is it?"), coerce=int, error_messages={"required": _("Please choose where it is.")}
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("One line, e.g. 村口路灯坏了"),
        error_messages={"required": _("Please write a title in one line.")},
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        error_messages={"required": _("Please write what happened.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Up to 5,000 characters. Do not write ID-card numbers; names and phone numbers are hidden on public pages."
        ),
    )
    photos = photo_field(
        label=_("Photos (optional, up to 6)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Only the staff handling your case see it."),
    )
    # An explicit choice, never ticked for the citizen; offered only where SMS is configured (see __init__).
    sms_consent = forms.BooleanField(
        label=_("Text me when my case is answered"),
        help_text=_(
            "Needs a mobile number above. One short message with your tracking number and where to read the "
            "reply; it never contains the reply or your query password."
        ),
        required=False,
        initial=False,
    )
    # Consent under PIPL is an explicit act: never ticked for the citizen.
    is_public = forms.BooleanField(
        label=_("I agree that this case and its reply are published on the public list"),
        help_text=_(
            "Published: the type, the place, the title, your description, the reply and your rating, with names, "
            "mobile and ID-card numbers in them hidden. Never published: your contact phone and your photos. "
            "Leave it unticked and only the staff handling your case see it."
        ),
        required=False,
        initial=False,
    )

    def __init__(self, *args, portal: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.portal = portal
        cast(forms.TypedChoiceField, self.fields["place"]).choices = place_choices(portal)
        if not sms.is_configured():
            del self.fields["sms_consent"]
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())
            self.initial.setdefault("place", portal.pk)

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_description(self):
        return self.cleaned_data["description"].strip()

    def clean_contact_phone(self):
        # Digits typed with a Chinese input method come full-width (１３８…, －): read them as plain digits.
        phone = re.sub(r"\s", "", unicodedata.normalize("NFKC", self.cleaned_data["contact_phone"]))
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("Enter an 11-digit mobile number or a landline such as 0371-12345678."))
        return phone

    def clean(self):
        data = super().clean() or {}
        if data.get("sms_consent") and "contact_phone" in data and not sms.is_mobile(data["contact_phone"]):
            self.add_error(
                "sms_consent", _("To be told by SMS, enter your 11-digit mobile number above, or untick this.")
            )
        return data

    def clean_place(self):
        place = self.cleaned_data["place"]
        organization = self.portal.subtree().filter(pk=place).first()
        if organization is None:
            raise ValidationError(_("Choose a place from the list."))
        return organization


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Please enter the tracking number on your receipt.")},
    )
    # feedback.js adds a 显示/隐藏 button (data-reveal); without JavaScript the field works as a plain one.
    password = forms.CharField(
        label=_("Query password"),
        max_length=30,
        error_messages={"required": _("Please enter the query password on your receipt.")},
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "data-reveal": "",
                "data-reveal-show": pgettext_lazy("password", "Show"),
                "data-reveal-hide": pgettext_lazy("password", "Hide"),
            }
        ),
    )


class MobileForm(code_forms.MobileForm):
    number_help = _("The mobile number you gave when you raised the problem.")


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=[c for c in Rating.choices if c[0] != Rating.UNRATED],
        widget=ChoiceChips,
        error_messages={"required": _("Please choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublicFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *Category.choices])

    def cleaned(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


FIGURES_MAX_DAYS = 5 * 366  # the longest period the breakdown reads (five years)
FIGURES_FIRST_DAY = datetime.date(2000, 1, 1)
FIGURES_LAST_DAY = datetime.date(2099, 12, 31)


class FiguresPeriodForm(forms.Form):
    """The period of the figures breakdown: cases received from `start` to `end`, both days included."""

    error_messages = {
        "invalid": _("Write the date as year-month-day, e.g. 2026-01-31."),
        "bounds": _("Choose a date between 2000-01-01 and 2099-12-31."),
    }
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": error_messages["invalid"]},
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": error_messages["invalid"]},
    )

    def __init__(self, data, today: datetime.date):
        self.today = today
        self.default_start = today.replace(month=1, day=1)
        data = data if data.get("start") or data.get("end") else None
        super().__init__(data, initial={"start": self.default_start, "end": today})

    def _clean_bounds(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not FIGURES_FIRST_DAY <= value <= FIGURES_LAST_DAY:
            raise ValidationError(self.error_messages["bounds"], code="bounds")
        return value

    def clean_start(self):
        return self._clean_bounds("start")

    def clean_end(self):
        return self._clean_bounds("end")

    def clean(self):
        data = super().clean() or {}
        if self.errors:
            return data
        start = data.get("start") or self.default_start
        end = data.get("end") or max(self.today, start)
        if start > end:
            raise ValidationError(_("The start date is after the end date: swap them or choose again."), code="order")
        if (end - start).days + 1 > FIGURES_MAX_DAYS:
            raise ValidationError(_("Choose a period of at most five years."), code="too_long")
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[datetime.date, datetime.date] | None:
        """The chosen period (this year up to today when nothing is chosen), or None when the input is refused."""
        if not self.is_bound:
            return self.default_start, self.today
        if not self.is_valid():
            return None
        return self.cleaned_data["start"], self.cleaned_data["end"]


# --- Console -----------------------------------------------------------------------------------


class VersionForm(forms.Form):
    # Hidden: missing only from a forged or broken request; the message says what to do anyway.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The page is out of date. Please reload it and try again."),
            "invalid": _("The page is out of date. Please reload it and try again."),
        },
    )


class AcceptForm(VersionForm):
    urgent = forms.BooleanField(label=_("Urgent: answer the same working day"), required=False)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    # What to write, by the step the form is for (its prefix).
    REQUIRED = {
        "reject": _("Please write why the case is not accepted; the citizen reads it."),
        "return": _("Please write why the case is returned."),
        "send_back": _("Please write what should be changed in the reply."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = self.REQUIRED.get(
            self.prefix or "", _("Please write the reason.")
        )


class DispatchForm(VersionForm):
    lead = forms.TypedChoiceField(
        label=_("Lead organization"),
        coerce=int,
        error_messages={
            "required": _("Please choose the lead organization."),
            "invalid_choice": _("Please choose the lead organization from the list."),
        },
    )
    assisting = forms.TypedMultipleChoiceField(
        label=_("Assisting organizations (optional)"),
        coerce=int,
        required=False,
        # A searchable picker over the plain select (a township has dozens of villages; the county 155 units).
        widget=forms.SelectMultiple(attrs=picker_attrs(size=6)),
    )
    note = forms.CharField(
        label=_("Instructions (internal)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["lead"]).choices = choices
        cast(forms.TypedMultipleChoiceField, self.fields["assisting"]).choices = choices


class AnswerForm(VersionForm):
    reply = forms.CharField(
        label=_("Reply to the citizen (published)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please write the reply.")},
    )

    def __init__(self, *args, public: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not public:
            # The citizen declined publication: the reply is for them alone (the box must not say 将公开).
            self.fields["reply"].label = _("Reply to the citizen (the citizen can read it; not public)")


class StaffPhotoForm(forms.Form):
    photos = photo_field(
        label=_("Photos (up to 6), e.g. of the work done"),
        error_messages={"required": _("Please choose the photos to upload.")},
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please write the note.")},
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Extra working days"),
        min_value=1,
        max_value=30,
        error_messages={
            "required": _("Please enter how many working days more (1 to 30)."),
            "invalid": _("Please enter how many working days more (1 to 30)."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please write why more time is needed.")},
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Please choose the case to merge into."),
            "invalid": _("Please choose the case to merge into."),
        },
    )


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["title", "text"]
        error_messages = {
            "title": {"required": _("Please give the template a short title.")},
            "text": {"required": _("Please write the template's text.")},
        }

    def to_input(self) -> configuration.ReplyTemplateInput:
        return configuration.ReplyTemplateInput(title=self.cleaned_data["title"], text=self.cleaned_data["text"])


class DispatchRuleForm(forms.ModelForm):
    class Meta:
        model = DispatchRule
        fields = ["place", "category", "lead", "note"]
        error_messages = {
            "place": {"required": _("Please choose the place the rule is for.")},
            "lead": {"required": _("Please choose the lead organization.")},
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = scope
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = scope
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("Any type")), *Category.choices]

    def to_input(self) -> configuration.DispatchRuleInput:
        data = self.cleaned_data
        return configuration.DispatchRuleInput(
            place_id=data["place"].pk, lead_id=data["lead"].pk, category=data["category"], note=data["note"]
        )


class TimeLimitForm(forms.ModelForm):
    class Meta:
        model = TimeLimit
        fields = ["accept_days", "answer_days", "urgent_answer_days", "rating_days"]
        error_messages = {
            name: {
                "required": _("Please enter a number of working days."),
                "invalid": _("Please enter a number of working days."),
            }
            for name in fields
        }

    def to_input(self) -> configuration.TimeLimitInput:
        return configuration.TimeLimitInput(category=self.instance.category, **self.cleaned_data)


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Please choose the date."),
            "invalid": _("Please enter the date as year-month-day, e.g. 2026-10-01."),
        },
    )
    is_workday = forms.TypedChoiceField(
        label=_("This day is"),
        coerce=lambda v: v == "1",
        choices=[("0", _("a day off (holiday)")), ("1", _("a working day (make-up day)"))],
        error_messages={"required": _("Please choose whether the day is a day off or a working day.")},
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def to_input(self) -> configuration.CalendarDayInput:
        return configuration.CalendarDayInput(**self.cleaned_data)


class InboxFilterForm(forms.Form):
    # One box for a tracking number, a citizen's mobile number or words of the case (search.py). No max_length:
    # a longer query is cut rather than refused.
    q = forms.CharField(
        label=_("Search"),
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": 100, "autocomplete": "off", "inputmode": "search"}
        ),
        help_text=_("Tracking number, the caller's mobile number, or words of the title or text"),
    )
    view = forms.ChoiceField(
        required=False,
        choices=[
            ("todo", _("Waiting for us")),
            ("all", _("All")),
            ("overdue", _("Overdue / supervised (督办)")),
            ("approval", _("Replies to approve")),
            ("extensions", _("Extension requests")),
        ],
    )
    # A line of the console home's to-do: exactly the cases it counted (queries.TODO_KINDS).
    todo = forms.ChoiceField(
        required=False,
        choices=[
            ("accept", _("To accept")),
            ("dispatch", _("To dispatch")),
            ("start", _("To sign for and start")),
            ("answer", _("To answer")),
            ("approve", _("Replies to approve")),
            ("supervise", _("Overdue, supervised by us (督办)")),
        ],
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *Category.choices])
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, empty_value=None)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any")),
            ("overdue", _("Passed")),
            ("today", _("Due by end of today")),
            ("3days", _("Due within 3 days")),
        ],
    )

    def __init__(self, data=None, *args, places, **kwargs):
        from .models import State
        from .search import MAX_QUERY_CHARS

        if data is not None and len(data.get("q", "")) > MAX_QUERY_CHARS:
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY_CHARS]  # a longer query is cut, and shown cut
        super().__init__(data, *args, **kwargs)
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", _("All states")), *State.choices]
        cast(forms.TypedChoiceField, self.fields["place"]).choices = [("", _("All places")), *places]

    def cleaned(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)} if self.is_valid() else {}
