"""Pathological entry Markdown: how long rendering takes, and what an editor's save or preview answers.

Run: .venv/bin/python bench/markdown_render.py [--cap 20] [--repo PATH]

For each crafted text (the security review's, section 3, plus the example-fence scan) prints the
time the plain renderer takes in a child process (stopped after --cap seconds), and, where the
checked renderer exists, the time until save and preview answer and what they answer.
``--repo`` runs the same inputs against another checkout, e.g. one from before the fix.
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

import django

parser = argparse.ArgumentParser()
parser.add_argument("--cap", type=float, default=20.0, help="seconds before a plain render is stopped")
parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
parser.add_argument("--fences-only", action="store_true", help="only time the example-fence scan")
arguments = parser.parse_args()
sys.path.insert(0, str(arguments.repo))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
django.setup()

from kb.catalogue import example_logs  # noqa: E402
from kb.markup import render_markdown  # noqa: E402

INPUTS = {
    '"1. " x 1000 (3 KB)': "1. " * 1000,
    '"> " x 1000 (2 KB)': "> " * 1000,
    '"[" x 10,000': "[" * 10_000,
    '"[" x 20,000': "[" * 20_000,
    '"## a" x 4,000 (20 KB)': "## a\n" * 4000,
    '"## a" x 50,000 (250 KB)': "## a\n" * 50_000,
    'setext "a\\n=" x 5,000 (20 KB)': "a\n=\n\n" * 4000,
    '"<http://a" x 2,200 (20 KB)': "<http://a" * 2200,
    '"<http://a" x 22,000': "<http://a" * 22_000,
    '"*a" x 10,000': "*a" * 10_000,
    '"`" x 20,000': "`" * 20_000,
}
# Every opening fence is left unclosed: a pattern that looks ahead for the closing one scans to the end from each.
FENCES = {f"```text never closed, {size} KB": "```text\nx\n" * (size * 102) for size in (16, 40, 80, 800)}


def render_in_child(text: str, answer: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    try:
        render_markdown(text)
        answer.put(f"{time.perf_counter() - started:.2f} s")
    except RecursionError:
        answer.put(f"RecursionError after {time.perf_counter() - started:.2f} s")


def plain_render(text: str) -> str:
    answer = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=render_in_child, args=(text, answer))
    child.start()
    child.join(arguments.cap)
    if child.is_alive():
        child.kill()
        return f"over {arguments.cap:g} s (stopped)"
    return answer.get()


def checked_render(text: str) -> str:
    try:
        from kb.markup_check import MarkdownRefused, render_checked
    except ImportError:
        return "no check"
    started = time.perf_counter()
    try:
        render_checked({"fix": text})
        outcome = "rendered"
    except MarkdownRefused as refusal:
        outcome = f"refused: {str(refusal)[:60]}"
    return f"{time.perf_counter() - started:.2f} s, {outcome}"


print(f"{'input':34} {'plain render':32} save/preview answer")
for label, text in {} if arguments.fences_only else INPUTS.items():
    print(f"{label:34} {plain_render(text):32} {checked_render(text)}", flush=True)
for label, text in FENCES.items():
    started = time.perf_counter()
    example_logs(text)
    print(f"{'example_logs, ' + label:34} {time.perf_counter() - started:.3f} s", flush=True)
