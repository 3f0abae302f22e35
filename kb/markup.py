"""Markdown to sanitised, highlighted HTML: the one renderer for entry text.

Fenced code (also inside list items, so each step of a fix can hold its own command) is
highlighted with Pygments: pip's output with our own lexer (``text``, ``log`` or ``pip``
fences), shell sessions with the console lexer. The result is sanitised with nh3 last, so
nothing an editor writes can run script.
"""

import re
from functools import partial

import markdown
import nh3
from markdown.extensions.toc import slugify
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Generic, Name, Number, String, Text
from pygments.util import ClassNotFound

HIGHLIGHT_CLASS = "highlight"


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
    "*": {"class"},
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


def lexer_for(language: str) -> Lexer:
    if language in LOG_FENCES:
        return PipLogLexer()
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return PipLogLexer()


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


def render_markdown(text: str, anchor_prefix: str = "") -> str:
    """Render entry Markdown to safe HTML; heading ids start with ``anchor_prefix``."""
    text = align_list_blocks(text)
    heading_slug = partial(_prefixed_slug, anchor_prefix)
    converter = markdown.Markdown(
        extensions=["pymdownx.superfences", "tables", "sane_lists", "toc"],
        extension_configs={
            "pymdownx.superfences": {"custom_fences": FENCES},
            "toc": {"slugify": heading_slug, "permalink": False},
        },
    )
    return sanitize(converter.convert(text))


def _prefixed_slug(prefix: str, value: str, separator: str) -> str:
    slug = slugify(value, separator)
    return f"{prefix}{separator}{slug}" if prefix else slug


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
