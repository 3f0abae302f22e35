"""pip's source lines on an entry page: the lines that raise the error or spell its message
marked, and a long symbol (a whole class) cut down to those lines and a few around them.

A line "tells" when it raises, or holds a string literal whose text is part of what the entry
quotes pip printing (its header, its literal signatures): pip splits long messages over several
literals, and each piece is found on its own.
"""

import re
from collections.abc import Iterable

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

# A listing up to this many lines is shown whole; a longer one only around its telling lines.
WHOLE_LISTING_LINES = 25
CONTEXT_LINES = 3
# Shorter pieces of text ("", "\n", ": ") would be found in any message.
SHORTEST_QUOTED_PIECE = 10
RAISE = re.compile(r"\s*raise\b")
STRING_LITERAL = re.compile(r"""(?:\b[rRbBuUfF]{1,2})?("|')((?:\\.|(?!\1).)*)\1""")
FORMAT_FIELD = re.compile(r"\{[^{}]*\}")


def telling_lines(snippet: str, quoted: Iterable[str]) -> set[int]:
    """The 1-based numbers, within ``snippet``, of the lines that raise or spell quoted text."""
    quoted_text = "\n".join(" ".join(text.split()) for text in quoted)
    return {
        number
        for number, line in enumerate(snippet.split("\n"), start=1)
        if RAISE.match(line) or spells_quoted_text(line, quoted_text)
    }


def spells_quoted_text(line: str, quoted_text: str) -> bool:
    for literal in STRING_LITERAL.finditer(line):
        for piece in FORMAT_FIELD.split(literal.group(2).replace("\\n", " ")):
            piece = " ".join(piece.split())
            if len(piece) >= SHORTEST_QUOTED_PIECE and piece in quoted_text:
                return True
    return False


def shown_lines(count: int, telling: set[int]) -> list[int]:
    """The 1-based line numbers to show: all of a short listing, else the first line (the
    symbol's own ``def`` or ``class``) and the telling lines with a few lines around them."""
    if count <= WHOLE_LISTING_LINES or not telling:
        return list(range(1, count + 1))
    around = {n for line in telling for n in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)}
    return sorted({1} | {n for n in around if 1 <= n <= count})


def listing_html(snippet: str, first_line: int, telling: set[int]) -> str:
    """The highlighted listing with the file's line numbers, telling lines marked, and a note
    where lines are left out."""
    code_lines = highlight(snippet, PythonLexer(stripnl=False), HtmlFormatter(nowrap=True)).split("\n")
    count = len(snippet.rstrip("\n").split("\n"))
    parts = []
    previous = 0
    for number in shown_lines(count, telling):
        if number > previous + 1:
            parts.append(left_out_note(first_line + previous, first_line + number - 2))
        numbered = f'<span class="linenos">{first_line + number - 1}</span>{code_lines[number - 1]}'
        parts.append(f'<span class="hll">{numbered}</span>' if number in telling else numbered)
        previous = number
    if previous < count:
        parts.append(left_out_note(first_line + previous, first_line + count - 1))
    return '<div class="highlight"><pre><code>' + "\n".join(parts) + "</code></pre></div>"


def left_out_note(first: int, last: int) -> str:
    lines = f"line {first}" if first == last else f"lines {first}–{last}"
    return f'<span class="left-out">⋮ {lines} not shown</span>'
