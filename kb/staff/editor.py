"""The entry editor's three forms as one, with what it shows besides them: previews and the tester."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from django.utils.safestring import mark_safe

from kb.catalogue import engine_signatures
from kb.diagnosis import Match, test_signature
from kb.markup_check import MarkdownRefused, RenderedText, render_checked
from kb.models import Entry, Tool
from kb.staff.forms import (
    CauseFormSet,
    EntryForm,
    NewEntryForm,
    SignatureFormSet,
    causes_initial,
    entry_initial,
    signatures_initial,
    snapshot_from,
)
from kb.staff.snapshots import Snapshot


@dataclass(frozen=True)
class Problem:
    """One error of the editor, for the summary at the top of the page."""

    label: str
    message: str
    field_id: str


@dataclass
class EditorForms:
    entry: EntryForm
    causes: CauseFormSet
    signatures: SignatureFormSet
    rendered: dict[str, RenderedText] = field(default_factory=dict)

    def is_valid(self) -> bool:
        valid = all([self.entry.is_valid(), self.causes.is_valid(), self.signatures.is_valid()])
        return valid and self.markdown_renders()

    def markdown_renders(self) -> bool:
        """Every section and cause renders in time; otherwise its field says why. Keeps the HTML."""
        texts = {name: self.entry.cleaned_data[name] for name in Entry.SECTIONS}
        for number, form in enumerate(self.causes.forms):
            if form.cleaned_data and not form.cleaned_data.get("DELETE"):
                texts[f"cause-{number}"] = form.cleaned_data["body"]
        try:
            self.rendered = render_checked(texts)
        except MarkdownRefused as refusal:
            form, name = self.field_of(refusal.name)
            form.add_error(name, f"This text cannot be published: {refusal}")
            return False
        return True

    def field_of(self, key: str) -> tuple[forms.Form, str]:
        if key.startswith("cause-"):
            return self.causes.forms[int(key.removeprefix("cause-"))], "body"
        return self.entry, key

    def problems(self) -> list[Problem]:
        found = form_problems(self.entry, "")
        for number, form in enumerate(self.causes.forms, start=1):
            found += form_problems(form, f"Cause {number}, ")
        for number, form in enumerate(self.signatures.forms, start=1):
            found += form_problems(form, f"Signature {number}, ")
        return found

    def snapshot(self, tool: str, code: str) -> Snapshot:
        return snapshot_from(self.entry, self.causes, self.signatures, tool, code)


def form_problems(form: forms.Form, row: str) -> list[Problem]:
    """Each error with the field it belongs to; an error of the whole form points at its first field."""
    if not form.is_bound:
        return []
    found = []
    for name, messages in form.errors.items():
        field = form[name] if name != NON_FIELD_ERRORS else next(iter(form))
        label = f"{row}{field.label.lower()}" if row else field.label
        found += [Problem(label, message, field.auto_id) for message in messages]
    return found


def bound_editor(data: QueryDict, tool: Tool | None) -> EditorForms:
    form_class = EntryForm if tool else NewEntryForm
    return EditorForms(
        form_class(data, tool=tool), CauseFormSet(data, prefix="causes"), SignatureFormSet(data, prefix="signatures")
    )


def initial_editor(snapshot: Snapshot, base: int, tool: Tool | None, extra: dict | None = None) -> EditorForms:
    """Forms filled from a snapshot; ``extra`` pre-fills fields such as a new signature from a shared log."""
    extra = extra or {}
    form_class = EntryForm if tool else NewEntryForm
    signatures = signatures_initial(snapshot) + ([extra["signature"]] if "signature" in extra else [])
    return EditorForms(
        form_class(initial={**entry_initial(snapshot, base), **extra.get("fields", {})}, tool=tool),
        CauseFormSet(initial=causes_initial(snapshot), prefix="causes"),
        SignatureFormSet(initial=signatures, prefix="signatures"),
    )


def describe_conflicts(form: forms.Form, names: set[str]) -> None:
    """Tie each field both editors changed to the note saying so, read out with the field."""
    for name in names & form.fields.keys():
        bound = form[name]
        described_by = [f"{bound.auto_id}_conflict"] + ([f"{bound.auto_id}_helptext"] if bound.help_text else [])
        form.fields[name].widget.attrs["aria-describedby"] = " ".join(described_by)


def previews(editor: EditorForms) -> dict[str, RenderedText]:
    """The sections and cause bodies rendered as readers will see them, keyed by form field name."""
    return {
        name: RenderedText(mark_safe(text.html), text.removed)  # noqa: S308  (render_markdown sanitises)
        for name, text in editor.rendered.items()
    }


@dataclass
class TesterResult:
    number: int
    pattern: str
    matches: list[Match] = field(default_factory=list)


def tester_results(snapshot: Snapshot, sample_log: str) -> list[TesterResult]:
    """Which of the draft's signatures fire on the sample, on which lines, with which facts."""
    return [
        TesterResult(signature.key + 1, signature.pattern, test_signature(signature, sample_log))
        for signature in engine_signatures(snapshot["front"])
    ]
