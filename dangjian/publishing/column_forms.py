"""The console's column form (a standard column's name is fixed: its field is not shown)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import VersionedModelForm

from .columns import ColumnInput
from .models import Column

REVIEW_STEP_CHOICES = [
    (0, _("No review: published when written")),
    (1, _("1 step: 初审")),
    (2, _("2 steps: 初审, 复审")),
    (3, _("3 steps: 初审, 复审, 终审")),
]


class ColumnForm(VersionedModelForm):
    review_steps = forms.TypedChoiceField(
        label=_("Review steps before publishing"), choices=REVIEW_STEP_CHOICES, coerce=int
    )

    class Meta:
        model = Column
        fields = ["name", "description", "update_days", "review_steps", "order"]
        widgets = {"update_days": forms.NumberInput(attrs={"min": 1, "max": 3650, "inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.key:
            del self.fields["name"]
        else:
            self.fields["name"].required = True
            self.fields["name"].error_messages["required"] = _("Enter the column's name.")
        self.fields["update_days"].help_text = _(
            "The inspection rules: 工作动态 at least every 14 days, 通知公告 every 183. Empty: no rule."
        )
        self.fields["update_days"].min_value = 1  # type: ignore[attr-defined]
        self.fields["order"].help_text = _("Smaller numbers come first on the portal.")

    def to_input(self) -> ColumnInput:
        data = self.cleaned_data
        return ColumnInput(
            name=data.get("name", ""),
            description=data.get("description", ""),
            update_days=data.get("update_days"),
            review_steps=data["review_steps"],
            order=int(data["order"]) if data.get("order") is not None else 100,
        )
