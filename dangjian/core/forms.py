from django import forms


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version the editor saw, for optimistic locking."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["seen_version"].initial = self.instance.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("seen_version") if self.instance.pk else None
