"""The entry page's article, rendered once per version of the entry and cached.

The cache key holds the entry's ``updated`` time, which changes whenever the entry or any of
its parts changes (see ``kb.signals``), and a digest of the code, template and release index
that make the article, so a stale article is never served.
"""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb import markup, markup_check, source_listing
from kb.markup import command_html, highlight_code
from kb.markup_check import render_for_readers
from kb.models import Entry, SourceReference
from kb.releases import dating
from kb.releases.textindex import INDEX_FILE, TextIndex, read_index
from kb.serializers import signature_dict
from kb.source_listing import listing_html, telling_lines


@dataclass
class TrailStep:
    reference: SourceReference
    moved_note: str


@dataclass
class SourceLocation:
    newest: SourceReference
    snippet_html: SafeString
    older: list[TrailStep]
    inner: list[SourceReference]  # other symbols whose lines this listing holds


def maker_digest() -> str:
    """A digest of the code and template that make an article. Articles are cached without
    expiry in a cache that outlives a deploy, so a release that makes them differently (new
    markup for source listings, say) must not keep serving the old ones."""
    modules = (markup, markup_check, source_listing, dating)
    makers = [Path(__file__), *(Path(module.__file__) for module in modules), ARTICLE_TEMPLATE, INDEX_FILE]
    return hashlib.sha256(b"".join(path.read_bytes() for path in makers)).hexdigest()[:12]


ARTICLE_TEMPLATE = Path(settings.BASE_DIR) / "templates" / "kb" / "entry_article.html"
MAKER_DIGEST = maker_digest()


def article_cache_key(entry: Entry) -> str:
    return f"entry-article:{MAKER_DIGEST}:{entry.pk}:{entry.updated.isoformat()}"


def article_html(entry: Entry) -> SafeString:
    key = article_cache_key(entry)
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
        "wordings": entry_wordings(entry),
    }
    return context | {"contents": table_of_contents(context)}


@functools.cache
def shipped_index() -> TextIndex:
    return read_index()


def entry_wordings(entry: Entry) -> list[tuple[str, str]]:
    """Older or other wordings the entry covers, with the releases that print each (see dating)."""
    signatures = [signature_dict(signature) for signature in entry.signatures.all()]
    front = {"header": entry.header, "printed_by": entry.printed_by, "signatures": signatures}
    return dating.wordings_by_range(front, shipped_index())


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
    """One listing per symbol at its newest release; a symbol whose lines lie inside another's
    listing (a method of the class shown) is marked there instead of listed twice."""
    by_symbol: dict[str, list[SourceReference]] = {}
    for reference in entry.sources.all():
        by_symbol.setdefault(reference.symbol, []).append(reference)
    histories = [
        sorted(by_symbol[symbol], key=lambda reference: reference.version_key, reverse=True)
        for symbol in sorted(by_symbol)
    ]
    newest = [references[0] for references in histories]
    quoted = [entry.header, *(signature.pattern for signature in entry.signatures.all() if not signature.is_regex)]
    locations = []
    for references in histories:
        shown = references[0]
        if any(inside(shown, other) for other in newest):
            continue
        inner = [other for other in newest if inside(other, shown)]
        locations.append(SourceLocation(shown, python_snippet(shown, quoted, inner), move_trail(references), inner))
    return locations


def inside(inner: SourceReference, outer: SourceReference) -> bool:
    """Whether ``inner``'s lines lie within ``outer``'s (and are not the very same lines)."""
    same_file = (inner.path, inner.pip_version) == (outer.path, outer.pip_version)
    within = outer.start_line <= inner.start_line and inner.end_line <= outer.end_line
    return same_file and within and (inner.start_line, inner.end_line) != (outer.start_line, outer.end_line)


def move_trail(references: list[SourceReference]) -> list[TrailStep]:
    """The older releases, newest first, noting where the symbol moved to another file."""
    steps = []
    for newer, older in zip(references, references[1:], strict=False):
        moved = older.path != newer.path
        note = f"moved to {newer.path} in pip {newer.pip_version}" if moved else ""
        steps.append(TrailStep(older, note))
    return steps


def python_snippet(reference: SourceReference, quoted: list[str], inner: list[SourceReference]) -> SafeString:
    label = escape(f"{reference.symbol} in {reference.path}, pip {reference.pip_version}")
    telling = telling_lines(reference.snippet, quoted) | {
        number - reference.start_line + 1 for other in inner for number in range(other.start_line, other.end_line + 1)
    }
    listing = listing_html(reference.snippet, reference.start_line, telling)
    # Long source lines scroll inside the figure; keyboard users must be able to scroll it too.
    return mark_safe(f'<div class="source-scroll" tabindex="0" role="region" aria-label="{label}">{listing}</div>')
