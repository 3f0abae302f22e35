"""The entry page's article, rendered once per version of the entry and cached.

The cache key holds the entry's ``updated`` time, which changes whenever the entry or any of
its parts changes (see ``kb.signals``), so a stale article is never served.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from kb.markup import HIGHLIGHT_CLASS, command_html, highlight_code
from kb.markup_check import render_for_readers
from kb.models import Entry, SourceReference


@dataclass
class TrailStep:
    reference: SourceReference
    moved_note: str


@dataclass
class SourceLocation:
    newest: SourceReference
    snippet_html: SafeString
    older: list[TrailStep]


def article_html(entry: Entry) -> SafeString:
    key = f"entry-article:{entry.pk}:{entry.updated.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        cached = render_to_string("kb/entry_article.html", article_context(entry))
        cache.set(key, cached, timeout=None)
    return mark_safe(cached)


def article_context(entry: Entry) -> dict:
    sections = {name: render_for_readers(getattr(entry, name), anchor_prefix=name) for name in Entry.SECTIONS}
    causes = [
        (cause, render_for_readers(cause.body, anchor_prefix=f"cause-{cause.position}")) for cause in entry.causes.all()
    ]
    context = {
        "entry": entry,
        "quick_fix_html": command_html(entry.quick_fix) if entry.quick_fix else "",
        "header_html": highlight_code(entry.header) if entry.header else "",
        "sections": {name: mark_safe(html) for name, html in sections.items() if html.strip()},
        "causes": [(cause, mark_safe(html)) for cause, html in causes],
        "sources": source_locations(entry),
        "related": list(entry.related.published().select_related("tool")),
    }
    return context | {"contents": table_of_contents(context)}


# The article's sections in page order: anchor, heading, and the context key that holds it.
ARTICLE_SECTIONS = [
    ("the-error-as-pip-prints-it", "The error as pip prints it", "header_html"),
    ("what-this-error-means", "What this error means", "meaning"),
    ("how-to-fix-it", "How to fix it", "fix"),
    ("why-it-happens", "Why it happens", "causes"),
    ("how-to-verify", "How to verify", "verify"),
    ("manual-triage", "Manual triage", "triage"),
    ("examples", "Examples", "examples"),
    ("background", "Background", "background"),
    ("prevention-tips", "Prevention tips", "prevention"),
    ("where-this-is-raised", "Where this is raised", "sources"),
    ("related-errors", "Related errors", "related"),
]


def table_of_contents(context: dict) -> list[tuple[str, str]]:
    present = {key for key, value in context.items() if value} | set(context["sections"])
    return [(anchor, heading) for anchor, heading, key in ARTICLE_SECTIONS if key in present]


def source_locations(entry: Entry) -> list[SourceLocation]:
    by_symbol: dict[str, list[SourceReference]] = {}
    for reference in entry.sources.all():
        by_symbol.setdefault(reference.symbol, []).append(reference)
    locations = []
    for symbol in sorted(by_symbol):
        references = sorted(by_symbol[symbol], key=lambda reference: reference.version_key, reverse=True)
        locations.append(SourceLocation(references[0], python_snippet(references[0]), move_trail(references)))
    return locations


def move_trail(references: list[SourceReference]) -> list[TrailStep]:
    """The older releases, newest first, noting where the symbol moved to another file."""
    steps = []
    for newer, older in zip(references, references[1:], strict=False):
        moved = older.path != newer.path
        note = f"moved to {newer.path} in pip {newer.pip_version}" if moved else ""
        steps.append(TrailStep(older, note))
    return steps


def python_snippet(reference: SourceReference) -> SafeString:
    label = escape(f"{reference.symbol} in {reference.path}, pip {reference.pip_version}")
    formatter = HtmlFormatter(
        cssclass=HIGHLIGHT_CLASS, linenos="table", linenostart=reference.start_line, wrapcode=True
    )
    snippet = highlight(reference.snippet, PythonLexer(), formatter)
    # Long source lines scroll inside the figure; keyboard users must be able to scroll it too.
    return mark_safe(f'<div class="source-scroll" tabindex="0" role="region" aria-label="{label}">{snippet}</div>')
