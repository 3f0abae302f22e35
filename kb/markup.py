"""Markdown to sanitised, highlighted HTML: the one renderer for entry text.

Fenced code (also inside list items, so each step of a fix can hold its own command) is
highlighted with Pygments: pip's output with our own lexer (``text``, ``log`` or ``pip``
fences), shell sessions with the console lexer. The result is sanitised with nh3 last, so
nothing an editor writes can run script, borrow the site's styled classes, or take an id the
page uses: headings get ids starting with ``md-``, and only those ids are kept.

Python-Markdown can recurse past Python's limit or take minutes on a few kilobytes of crafted
text; ``kb.markup_check`` renders an editor's text in a child process with a time limit first.
"""

import html
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
import nh3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, slugify, strip_tags
from markdown.treeprocessors import Treeprocessor
from pygments import highlight
from pygments.filter import Filter
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Comment, Generic, Name, Number, String, Text, _TokenType
from pygments.util import ClassNotFound

HIGHLIGHT_CLASS = "highlight"
HEADING_ID_PREFIX = "md-"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class PipLogLexer(RegexLexer):
    """Colours the lines of a pip log by what they say (errors, warnings, success, notes)."""

    name = "pip log"
    aliases = ["pip-log"]
    tokens = {
        "root": [
            (r"^\s*(ERROR|error|Error)\b.*\n?", Generic.Error),
            (r"^\s*[×╰│├].*\n?", Generic.Error),
            (r"^\s*(WARNING|warning|DEPRECATION|HINT|hint|note|INFO)\b.*\n?", Generic.Emph),
            (r"^\s*\[notice\].*\n?", Generic.Emph),
            (r"^\s*Successfully (installed|built|downloaded|uninstalled)\b.*\n?", Generic.Inserted),
            (r"^\s*\$ .*\n?", Generic.Prompt),
            (r"\b(sha256|sha384|sha512|md5):?\s*[0-9a-f]{32,128}\b", String),
            (r"\b[0-9a-f]{64}\b", String),
            (r"https?://\S+", Name.Attribute),
            (r"\b\d+(\.\d+)+\b", Number),
            (r"#.*\n?", Comment),
            (r"\w+|[^\w\n]|\n", Text),
        ]
    }


# `<package>`, `<path from the warning>`: the words a reader replaces. Pygments gives the token
# the class "g-Placeholder"; plain commands (the quick fix) get the same class.
PLACEHOLDER = re.compile(r"<[A-Za-z][\w .:/-]{0,40}>")
PLACEHOLDER_TOKEN = Generic.Placeholder
PLACEHOLDER_CLASS = "g-Placeholder"


class PlaceholderFilter(Filter):
    """Re-cuts the token stream so every ``<placeholder>`` is one token of its own type,
    whatever the lexer made of its angle brackets."""

    def filter(self, lexer: Lexer, stream: Iterator[tuple[_TokenType, str]]) -> Iterator[tuple[_TokenType, str]]:
        tokens = list(stream)
        spans = [match.span() for match in PLACEHOLDER.finditer("".join(value for _, value in tokens))]
        start = 0
        for token_type, value in tokens:
            end = start + len(value)
            cuts = sorted({start, end} | {min(max(edge, start), end) for span in spans for edge in span})
            for left, right in zip(cuts, cuts[1:], strict=False):
                inside = any(first <= left and right <= last for first, last in spans)
                yield (PLACEHOLDER_TOKEN if inside else token_type), value[left - start : right - start]
            start = end


def command_html(command: str) -> SafeString:
    """A plain command, escaped, with its ``<placeholders>`` (or ``{facts}`` not filled in) marked."""
    shown = re.sub(r"\{(\w+)\}", r"<\1>", command)
    pieces = []
    done = 0
    for match in PLACEHOLDER.finditer(shown):
        pieces.append(escape(shown[done : match.start()]))
        pieces.append(format_html('<span class="{}">{}</span>', PLACEHOLDER_CLASS, match.group(0)))
        done = match.end()
    pieces.append(escape(shown[done:]))
    return mark_safe("".join(pieces))


LOG_FENCES = {"text", "log", "pip", "pip-log", "output", ""}
LIST_MARKER = re.compile(r"^( *)([-*+]|\d+[.)])( +)\S")
# Python-Markdown nests a block in a list item only when it is indented by 4 spaces per level.
NESTED_INDENT = 4

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
# Only the classes static/kb/pygments.css styles, where Pygments puts them.
ALLOWED_CLASSES = {"div": {HIGHLIGHT_CLASS}, "span": set(STANDARD_TYPES.values()) - {""} | {PLACEHOLDER_CLASS}}


def lexer_for(language: str) -> Lexer:
    try:
        lexer = PipLogLexer() if language in LOG_FENCES else get_lexer_by_name(language)
    except ClassNotFound:
        lexer = PipLogLexer()
    lexer.add_filter(PlaceholderFilter())
    return lexer


def highlight_code(code: str, language: str = "text") -> str:
    formatter = HtmlFormatter(cssclass=HIGHLIGHT_CLASS, wrapcode=True)
    return highlight(code, lexer_for(language), formatter)


def _format_fence(source: str, language: str, *args, **kwargs) -> str:
    return highlight_code(source, language.lower())


FENCES = [{"name": "*", "class": HIGHLIGHT_CLASS, "format": _format_fence}]


def align_list_blocks(text: str) -> str:
    """Re-indent list items written CommonMark-style for Python-Markdown.

    Editors indent a step's command under the step's text (3 spaces after ``1. ``, 2 after
    ``- ``); Python-Markdown wants 4 per level, or the block falls out of the list.
    """
    columns: list[tuple[int, int]] = []  # per open item: (written content column, wanted column)
    aligned = []
    previous_blank = True
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        marker = LIST_MARKER.match(line)
        if not line.strip():
            aligned.append(line)
        elif marker:
            while columns and columns[-1][0] > indent:
                columns.pop()
            depth = len(columns)
            aligned.append(" " * (NESTED_INDENT * depth) + line[indent:])
            columns.append((len(marker.group(1) + marker.group(2) + marker.group(3)), NESTED_INDENT * (depth + 1)))
        else:
            while columns and indent < columns[-1][0] and previous_blank:
                columns.pop()
            if columns and indent >= columns[-1][0]:
                written, wanted = columns[-1]
                line = " " * (wanted + indent - written) + line[indent:]
            aligned.append(line)
        previous_blank = not line.strip()
    return "\n".join(aligned)


class HeadingIds(Treeprocessor):
    """Gives each heading an id from its text, unique within the text, in one pass.

    Python-Markdown's toc extension finds a free id by counting up from 1 for every duplicate,
    which takes minutes on thousands of equal headings.
    """

    def __init__(self, md: markdown.Markdown, anchor_prefix: str) -> None:
        super().__init__(md)
        self.prefix = HEADING_ID_PREFIX + (f"{anchor_prefix}-" if anchor_prefix else "")

    def run(self, root: Element) -> None:
        taken: set[str] = set()
        next_number: dict[str, int] = {}
        for element in root.iter():
            if element.tag not in HEADINGS:
                continue
            text = html.unescape(strip_tags(render_inner_html(element, self.md)))
            base = self.prefix + slugify(text, "-")
            candidate, number = base, next_number.get(base, 0)
            while candidate in taken:
                number += 1
                candidate = f"{base}_{number}"
            next_number[base] = number
            taken.add(candidate)
            element.set("id", candidate)


class HeadingIdExtension(Extension):
    def __init__(self, anchor_prefix: str) -> None:
        super().__init__()
        self.anchor_prefix = anchor_prefix

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(HeadingIds(md, self.anchor_prefix), "heading_ids", 5)


def render_markdown(text: str, anchor_prefix: str = "") -> str:
    """Render entry Markdown to safe HTML; heading ids start with ``md-`` and ``anchor_prefix``.

    Crafted text can raise RecursionError or run for minutes: see ``kb.markup_check``.
    """
    return sanitize(unsanitised_html(text, anchor_prefix))


def unsanitised_html(text: str, anchor_prefix: str) -> str:
    converter = markdown.Markdown(
        extensions=["pymdownx.superfences", "tables", "sane_lists", HeadingIdExtension(anchor_prefix)],
        extension_configs={"pymdownx.superfences": {"custom_fences": FENCES}},
    )
    return link_references(converter.convert(align_list_blocks(text)))


def render_noting_removed(text: str, anchor_prefix: str = "") -> tuple[str, list[str]]:
    """The safe HTML, and what the sanitiser took out of it (``<script>``, ``onclick=…``), so an
    editor learns that part of their text will not reach readers."""
    unsafe = unsanitised_html(text, anchor_prefix)
    safe = sanitize(unsafe)
    before, after = markup_names(unsafe), markup_names(safe)
    return safe, [name for name, count in before.items() if count > after[name]]


class MarkupNames(HTMLParser):
    """Counts the tags and attribute names of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names[f"<{tag}>"] += 1
        self.names.update(f"{name}=…" for name, _ in attrs)


def markup_names(fragment: str) -> Counter[str]:
    parser = MarkupNames()
    parser.feed(fragment)
    parser.close()
    return parser.names


# What entries cite in prose: PEPs by number, and documentation addresses written out bare.
PEP = re.compile(r"\bPEP ?(\d{1,4})\b")
BARE_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
# Links, code and tags are left alone; only the text between them is linked.
LEFT_ALONE = re.compile(r"(<a\b.*?</a>|<code\b.*?</code>|<pre\b.*?</pre>|<[^>]+>)", re.S)


def link_references(fragment: str) -> str:
    """Turns "PEP 668" and bare https:// addresses in an entry's prose into links."""
    pieces = LEFT_ALONE.split(fragment)
    for index in range(0, len(pieces), 2):
        text = BARE_URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', pieces[index])
        pieces[index] = PEP.sub(
            lambda match: f'<a href="https://peps.python.org/pep-{int(match.group(1)):04d}/">{match.group(0)}</a>', text
        )
    return "".join(pieces)


def keep_own_heading_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not value.startswith(HEADING_ID_PREFIX):
        return None
    return value


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=keep_own_heading_ids,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
