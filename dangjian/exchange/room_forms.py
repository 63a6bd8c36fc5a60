"""Forms of the rooms area; every one saves through room_actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.organizations.choices import indented_choices

from .models import Room
from .room_actions import NICKNAME_MAX, RoomInput

AUDIENCE_BY_KIND = [("", _("As the kind of room says"))] + list(Room.Audience.choices)


class RoomForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Room.Kind.choices, initial=Room.Kind.TOPIC)
    name = forms.CharField(label=_("name"), max_length=40)
    description = forms.CharField(
        label=_("description"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    audience = forms.ChoiceField(
        label=_("who may join"),
        choices=AUDIENCE_BY_KIND,
        required=False,
        help_text=_(
            "Branch rooms are for party members, village and community rooms for residents too, staff rooms for "
            "staff; a topic room needs a choice."
        ),
    )
    review_before_publish = forms.BooleanField(
        label=_("review messages before they are shown"),
        required=False,
        help_text=_("Messages of people who are not room admins wait until a moderator lets them through."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organizations=None, room: Room | None = None, **kwargs):
        if room is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": room.kind,
                    "name": room.name,
                    "description": room.description,
                    "audience": room.audience,
                    "review_before_publish": room.review_before_publish,
                    "version": room.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.room = room
        self.instance = room if room is not None else Room()  # the record whose history the form page shows
        if organizations is not None:
            self.fields["organization"] = forms.TypedChoiceField(
                label=_("organization"), coerce=int, choices=indented_choices(organizations)
            )
            self.order_fields(["organization"])
        if room is not None:
            # An existing room says its audience; "as the kind says" is only a default for new rooms.
            self.fields["audience"].choices = Room.Audience.choices  # type: ignore[attr-defined]
            self.fields["audience"].required = True

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") == Room.Kind.TOPIC and not data.get("audience"):
            self.add_error("audience", _("Say who may join a topic room."))
        return data

    def to_input(self) -> RoomInput:
        data = self.cleaned_data
        return RoomInput(
            kind=data["kind"],
            name=data["name"],
            description=data.get("description", ""),
            audience=data.get("audience", ""),
            review_before_publish=data.get("review_before_publish", False),
        )

    @property
    def expected_version(self) -> int:
        version = self.cleaned_data.get("version")
        return int(version) if version is not None else (self.room.version if self.room else 1)


class NicknameForm(forms.Form):
    nickname = forms.CharField(
        label=_("nickname"),
        max_length=NICKNAME_MAX,
        help_text=_(
            "The name shown beside your messages, 1 to 20 characters. You need not use your real name; please keep "
            "it civil."
        ),
    )


class AnnouncementForm(forms.Form):
    announcement = forms.CharField(
        label=_("announcement"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown at the top of the room. Leave it empty to clear the announcement."),
    )
