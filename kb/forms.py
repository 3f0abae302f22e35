from django import forms

from kb.diagnosis import redact
from kb.staff.models import Feedback


class SearchForm(forms.Form):
    """The query, with any secret a pasted line carried already removed."""

    q = forms.CharField(
        label="Search the knowledge base",
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words, or a pasted pip error line"}),
    )

    def clean_q(self) -> str:
        query, self.secrets_removed = redact(self.cleaned_data["q"])
        return query


class DiagnoseForm(forms.Form):
    """A pasted log or an uploaded file; the file is read when both are given, and the page says so."""

    log = forms.CharField(
        label="Your pip log",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "autocomplete": "off"}),
    )
    upload = forms.FileField(label="or upload a .log or .txt file (or drop it on the text area)", required=False)

    def __init__(self, *args, max_bytes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None and upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"That file is {upload.size:,} bytes; the limit is {self.max_bytes:,} bytes. "
                "Paste the part of the log around the first ERROR line instead.",
                code="too_large",
            )
        return upload

    def log_data(self) -> bytes | str:
        upload = self.cleaned_data.get("upload")
        return upload.read() if upload is not None else self.cleaned_data.get("log", "")

    def unread_paste(self) -> str:
        """The pasted text, when a file was chosen too and was read instead."""
        pasted = self.cleaned_data.get("log", "")
        return pasted if self.cleaned_data.get("upload") is not None and pasted.strip() else ""


class FeedbackForm(forms.Form):
    """'Was this helpful?': the vote, then an optional comment (``counted``: the vote is in already)."""

    code = forms.CharField(max_length=80)
    place = forms.ChoiceField(choices=Feedback.Place.choices)
    helpful = forms.TypedChoiceField(choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes")
    comment = forms.CharField(
        label="What would have helped? (optional)", max_length=2000, required=False, widget=forms.Textarea({"rows": 4})
    )
    counted = forms.BooleanField(required=False, widget=forms.HiddenInput)
