"""Forms of the staff workflow; each one bounds what it accepts and builds no HTML of its own."""

from django import forms

from kb.catalogue import CODE_PATTERN
from kb.diagnosis import InvalidPattern, Matcher, Signature
from kb.diagnosis.pattern_speed import MIN_MEGABYTES_PER_SECOND, megabytes_per_second
from kb.diagnosis.signatures import compile_signature
from kb.markup_check import MAX_MARKDOWN_CHARS
from kb.models import Category, Entry, Tool
from kb.staff.models import SharedLog
from kb.staff.snapshots import Snapshot

MARKDOWN = {"rows": 8, "spellcheck": "true", "class": "markdown", "data-preview": "true"}
CODE_LIST_HELP = "entry codes separated by spaces"


class TextareaField(forms.CharField):
    """Browsers send a textarea's line ends as CRLF; stored content has LF only, so a save from
    a browser never shows as a change of every line."""

    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


def markdown_field(label: str | None = None) -> forms.CharField:
    return TextareaField(
        label=label, required=False, max_length=MAX_MARKDOWN_CHARS, widget=forms.Textarea(attrs=MARKDOWN)
    )


class EntryForm(forms.Form):
    """Everything in an entry but its causes and signatures (two formsets beside it)."""

    title = forms.CharField(max_length=200)
    summary = TextareaField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(Category.objects.all(), to_field_name="slug", empty_label=None)
    severity = forms.ChoiceField(choices=Entry.Severity.choices)
    header = TextareaField(
        label="Error text, exactly as pip prints it",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    meaning = markdown_field("What this error means")
    fix = markdown_field("How to fix it")
    verify = markdown_field("How to verify")
    triage = markdown_field("Manual triage")
    examples = markdown_field()
    background = markdown_field()
    prevention = markdown_field("Prevention tips")
    quick_fix = forms.CharField(
        required=False, max_length=1000, help_text="a command; {package}-style placeholders are filled from the log"
    )
    pip_versions = forms.CharField(label="pip versions", required=False, max_length=80)
    verified_with = forms.CharField(required=False, max_length=200, help_text="pip releases, separated by commas")
    symbols = forms.CharField(required=False, max_length=400, help_text="pip source symbols, separated by spaces")
    related = forms.CharField(required=False, max_length=2000, help_text=CODE_LIST_HELP)
    refines = forms.CharField(
        required=False, max_length=2000, help_text=f"generic wrapper entries this one is a cause of; {CODE_LIST_HELP}"
    )
    message = forms.CharField(label="What did you change?", required=False, max_length=300)
    base = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    save_anyway = forms.BooleanField(label="Save anyway, I checked the regressions above", required=False)
    sample_log = forms.CharField(
        label="Sample log for the signature tester",
        required=False,
        strip=False,
        max_length=1_000_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def __init__(self, *args, tool: Tool | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tool = tool

    def clean_related(self) -> list[str]:
        return self.existing_codes(self.cleaned_data["related"])

    def clean_refines(self) -> list[str]:
        return self.existing_codes(self.cleaned_data["refines"])

    def existing_codes(self, text: str) -> list[str]:
        codes = sorted(set(text.upper().split()))
        known = set(Entry.objects.filter(tool=self.tool, code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(f"There is no entry {', '.join(unknown)}.")
        return codes


class NewEntryForm(EntryForm):
    tool = forms.ModelChoiceField(Tool.objects.all(), to_field_name="slug", empty_label=None)
    code = forms.CharField(max_length=80, help_text="UPPER_SNAKE_CASE; it never changes once the entry exists")

    field_order = ["tool", "code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError("A code is UPPER_SNAKE_CASE, like HASH_MISMATCH.")
        return code

    def clean(self) -> dict:
        cleaned = super().clean()
        tool, code = cleaned.get("tool"), cleaned.get("code")
        if tool and code and Entry.objects.filter(tool=tool, code=code).exists():
            self.add_error("code", f"{tool.slug} already has an entry {code}.")
        return cleaned

    def existing_codes(self, text: str) -> list[str]:
        self.tool = self.cleaned_data.get("tool")
        return super().existing_codes(text)


class CauseForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = markdown_field()


class SignatureForm(forms.Form):
    pattern = forms.CharField(max_length=2000, strip=False, widget=forms.TextInput(attrs={"spellcheck": "false"}))
    regex = forms.BooleanField(label="regex (RE2)", required=False)
    detail = TextareaField(
        required=False,
        max_length=4000,
        strip=False,
        help_text="regex run on the lines after the match, for facts",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    only_if_failed = forms.BooleanField(required=False, help_text="counts only when the log also shows an error")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("pattern") and not cleaned.get("DELETE"):
            signature = signature_for_check(cleaned)
            try:
                Matcher([signature], {})
            except InvalidPattern as error:
                # The matcher names the signature by its code, which a draft does not have yet.
                problem = str(error).partition(": ")[2]
                raise forms.ValidationError({"pattern": problem[:1].upper() + problem[1:]}) from None
            check_speed(signature)
        return cleaned


def check_speed(signature: Signature) -> None:
    """Refuse a regex that reads the lines a log can hold for it too slowly: published, one
    crafted log would keep a worker busy for every diagnosis of it."""
    compiled = compile_signature(signature)
    for field, name, pattern, regex in (
        ("pattern", "pattern", signature.pattern, compiled.regex),
        ("detail", "detail regex", signature.detail, compiled.detail),
    ):
        speed = megabytes_per_second(pattern, regex) if regex else MIN_MEGABYTES_PER_SECOND
        if speed < MIN_MEGABYTES_PER_SECOND:
            problem = (
                f"The {name} is too slow: it reads the lines a log could hold for it at {speed:.2f} MB/s, "
                f"and a diagnosis needs {MIN_MEGABYTES_PER_SECOND:g} MB/s or more. The usual cause is a counted "
                "repeat inside a repeated group, such as (?:.*a.{100}){8}: match less around the literal text."
            )
            raise forms.ValidationError({field: problem})


def signature_for_check(cleaned: dict) -> Signature:
    return Signature(
        code="DRAFT",
        tool="pip",
        severity="error",
        pattern=cleaned["pattern"],
        is_regex=cleaned.get("regex", False),
        detail=cleaned.get("detail", ""),
        only_if_failed=cleaned.get("only_if_failed", False),
    )


CauseFormSet = forms.formset_factory(CauseForm, extra=1, can_order=True, can_delete=True, max_num=50)
SignatureFormSet = forms.formset_factory(SignatureForm, extra=1, can_delete=True, max_num=50)


def entry_initial(snapshot: Snapshot, base: int) -> dict:
    front = snapshot["front"]
    return {
        **{name: front.get(name, "") for name in ("title", "summary", "category", "severity", "header", "quick_fix")},
        "pip_versions": front.get("pip_versions", ""),
        "verified_with": ", ".join(front.get("verified_with", [])),
        "symbols": " ".join(front.get("symbols", [])),
        "related": " ".join(front.get("related", [])),
        "refines": " ".join(front.get("refines", [])),
        **snapshot["sections"],
        "base": base,
    }


def causes_initial(snapshot: Snapshot) -> list[dict]:
    return [
        {"title": title, "body": body, "ORDER": number} for number, (title, body) in enumerate(snapshot["causes"], 1)
    ]


def signatures_initial(snapshot: Snapshot) -> list[dict]:
    return [dict(spec) for spec in snapshot["front"].get("signatures", [])]


def snapshot_from(
    form: EntryForm, causes: forms.BaseFormSet, signatures: forms.BaseFormSet, tool: str, code: str
) -> Snapshot:
    data = form.cleaned_data
    front = {
        "code": code,
        "tool": tool,
        **{name: data[name] for name in ("title", "summary", "severity", "quick_fix", "pip_versions")},
        "category": data["category"].slug,
        "header": data["header"].strip("\n"),
        "verified_with": [version.strip() for version in data["verified_with"].split(",") if version.strip()],
        "symbols": data["symbols"].split(),
        "related": data["related"],
        "refines": data["refines"],
        "signatures": [
            {name: item[name] for name in ("pattern", "regex", "detail", "only_if_failed")} for item in kept(signatures)
        ],
    }
    return {
        "front": front,
        "sections": {name: data[name] for name in Entry.SECTIONS},
        "causes": [[cause.cleaned_data["title"], cause.cleaned_data["body"]] for cause in causes.ordered_forms],
    }


def kept(formset: forms.BaseFormSet) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


class RejectForm(forms.Form):
    comment = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RestoreForm(forms.Form):
    base = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ShareLogForm(forms.Form):
    log = forms.CharField(strip=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Anything we should know? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.ChoiceField(choices=SharedLog.Reason.choices, widget=forms.HiddenInput)


class AuditFilterForm(forms.Form):
    entry = forms.CharField(required=False, max_length=80, label="Entry code")
    person = forms.CharField(required=False, max_length=150, label="Username")


class CompareForm(forms.Form):
    old = forms.IntegerField(min_value=1, label="From revision")
    new = forms.IntegerField(min_value=1, label="To revision")


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, strip=False, max_length=MAX_MARKDOWN_CHARS)
