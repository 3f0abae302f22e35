from django import forms

from kb.diagnosis import redact


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
    """A pasted log or an uploaded file; the file wins when both are given."""

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
