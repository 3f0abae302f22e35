"""Rendering editors' Markdown within a size limit, a nesting limit and a time limit.

Python-Markdown is pure Python: 3 KB of list markers raise RecursionError, and 20 KB of ``[``
run for minutes. So an editor's text (on save and on preview) is rendered in a forked child
process that is killed when the time is up: no thread is left burning a CPU. The limit is on
the child's CPU time, so that a busy machine, where the child waits for a CPU, does not refuse
a text that renders in a tenth of a second; the request waits at most ``WAIT_FACTOR`` times the
limit for a child that gets no CPU at all. Readers' pages render text that passed this check at
save, in process, with a plain-text fallback for anything that still fails.
"""

import logging
import multiprocessing
import signal
import time
from multiprocessing.connection import Connection
from typing import NamedTuple

from django.conf import settings
from django.utils.html import escape

from kb.markup import render_markdown, render_noting_removed

# The shipped entries' longest section (FAILED_WHEEL_BUILD_FOR_INSTALL's examples) is 22 KB.
MAX_MARKDOWN_CHARS = 40_000
SLOW_HINT = "long runs of brackets, list markers, angle brackets or headings are the usual cause"
# How much longer than its CPU-time limit the request waits for a child starved of CPU.
WAIT_FACTOR = 10

logger = logging.getLogger(__name__)


class RenderedText(NamedTuple):
    html: str
    removed: list[str]  # what the sanitiser took out: "<script>", "onclick=…"


class MarkdownRefused(ValueError):
    """One of the texts cannot be rendered safely; ``name`` says which (in the ``group``-th set of
    texts given), the message why."""

    def __init__(self, name: str, problem: str, group: int = 0) -> None:
        super().__init__(problem)
        self.name = name
        self.group = group


def render_checked(texts: dict[str, str]) -> dict[str, RenderedText]:
    """Each text rendered to HTML, its key used as the heading-id prefix. Raises MarkdownRefused."""
    return render_groups_checked([texts])[0]


def render_groups_checked(groups: list[dict[str, str]]) -> list[dict[str, RenderedText]]:
    """``render_checked`` for several sets of texts (several entries) in one child process, each
    set given the whole time limit. Raises MarkdownRefused naming the set and the text."""
    for group, texts in enumerate(groups):
        for name, text in texts.items():
            if len(text) > MAX_MARKDOWN_CHARS:
                problem = f"It is {len(text):,} characters long; the limit is {MAX_MARKDOWN_CHARS:,}."
                raise MarkdownRefused(name, problem, group)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    seconds = settings.KB_MARKDOWN_RENDER_SECONDS
    child = context.Process(target=render_each, args=(groups, sender, seconds), daemon=True)
    child.start()
    sender.close()
    try:
        return [collect(texts, receiver, seconds, group) for group, texts in enumerate(groups)]
    finally:
        child.kill()
        child.join()
        receiver.close()


def collect(texts: dict[str, str], receiver: Connection, seconds: float, group: int) -> dict[str, RenderedText]:
    deadline = time.monotonic() + seconds * WAIT_FACTOR
    rendered = {}
    for name in texts:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise MarkdownRefused(name, too_slow(seconds), group)
        try:
            problem, html, removed = receiver.recv()
        except EOFError:
            raise MarkdownRefused(name, "The renderer stopped on it.", group) from None
        if problem:
            raise MarkdownRefused(name, problem, group)
        rendered[name] = RenderedText(html, removed)
    return rendered


def too_slow(seconds: float) -> str:
    return f"It takes more than {seconds:g} s to render ({SLOW_HINT})."


class TimeUp(BaseException):
    """The child used up its CPU time on the current set of texts (a BaseException, so that no
    `except Exception` inside the renderer swallows it)."""


def raise_time_up(signum: int, frame: object) -> None:
    raise TimeUp


def render_each(groups: list[dict[str, str]], sender: Connection, seconds: float) -> None:
    """The child's work: one answer per text, in order, stopping at the first failure. Each set
    of texts may use ``seconds`` of CPU time (the profiling timer counts only that)."""
    signal.signal(signal.SIGPROF, raise_time_up)
    for texts in groups:
        left = seconds
        for name, text in texts.items():
            signal.setitimer(signal.ITIMER_PROF, left)
            answer = render_answer(name, text, seconds)
            left, _ = signal.setitimer(signal.ITIMER_PROF, 0)
            sender.send(answer)
            if answer[0]:
                return


def render_answer(name: str, text: str, seconds: float) -> tuple[str, str, list[str]]:
    """(problem, html, removed): the problem empty when the text rendered."""
    try:
        return ("", *render_noting_removed(text, anchor_prefix=name))
    except TimeUp:
        return too_slow(seconds), "", []
    except RecursionError:
        return "Its lists or quotes nest too deeply to render.", "", []
    except Exception as error:  # noqa: BLE001 (any failure is the editor's answer, not a crash)
        return f"It cannot be rendered ({type(error).__name__}).", "", []


def render_for_readers(text: str, anchor_prefix: str) -> str:
    """Published text passed ``render_checked``; should it fail anyway, readers get it as plain text."""
    try:
        return render_markdown(text, anchor_prefix=anchor_prefix)
    except Exception:  # noqa: BLE001 (a page with one plain section beats a 500 for every reader)
        logger.exception("Markdown of %r could not be rendered; showing it as plain text", anchor_prefix)
        return f'<pre class="markdown-fallback">{escape(text)}</pre>'
