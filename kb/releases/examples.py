"""Entry examples taken from captured pip output.

The ```text blocks of an entry's Examples section are logs the capture harness really
recorded (tests/logs/, paths already neutral). The front matter names each block's log, in
the order of the blocks:

    [[examples]]
    log = "HASH_MISMATCH/26.3.log"      # under tests/logs/; sweep/<scenario>/<release>.log too
    # lines = "2-9"                     # only these lines of it

    [[examples]]
    not_captured = "Windows output; the harness runs on Linux"   # written by hand, and why

`manage.py take_examples` writes each captured block from its log; the tests hold every
block to its log, or to its reason for not having one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.catalogue import example_spans
from kb.releases.dating import from_table

LOGS_DIR = Path(__file__).resolve().parents[2] / "tests" / "logs"
EXAMPLES_HEADING = "## Examples"


@dataclass(frozen=True)
class ExampleSource:
    log: str = ""
    lines: str = ""
    not_captured: str = ""


def example_sources(front: dict) -> list[ExampleSource]:
    return [from_table(ExampleSource, values) for values in front.get("examples", [])]


def captured_text(source: ExampleSource, logs: Path = LOGS_DIR) -> str:
    """The block a source names: its log, or the lines `first-last` of it, without the final newline."""
    text = (logs / source.log).read_text(encoding="utf-8")
    if source.lines:
        first, last = (int(number) for number in source.lines.split("-"))
        text = "\n".join(text.splitlines()[first - 1 : last])
    return text.rstrip("\n")


def source_problems(front: dict, blocks: list[str], logs: Path = LOGS_DIR) -> list[str]:
    """Why an entry's example blocks are not what its `[[examples]]` say they are."""
    sources = example_sources(front)
    if len(sources) != len(blocks):
        return [f"{len(blocks)} example blocks but {len(sources)} [[examples]]"]
    problems = []
    for number, (block, source) in enumerate(zip(blocks, sources, strict=True), start=1):
        if source.not_captured:
            continue
        if not source.log:
            problems.append(f"example {number}: [[examples]] needs log (or not_captured and why)")
        elif not (logs / source.log).is_file():
            problems.append(f"example {number}: no captured log {source.log}")
        elif block.rstrip("\n") != captured_text(source, logs):
            problems.append(f"example {number} is not the text of {source.log} (run manage.py take_examples)")
    return problems


def with_captured_examples(entry_text: str, front: dict, logs: Path = LOGS_DIR) -> str:
    """The entry file with each captured example block rewritten from its log."""
    lines = entry_text.split("\n")
    start = lines.index(EXAMPLES_HEADING)
    following = [n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")]
    end = following[0] if following else len(lines)
    section = lines[start:end]
    spans = example_spans(section)
    for (first, last), source in reversed(list(zip(spans, example_sources(front), strict=False))):
        if source.log:
            section[first:last] = captured_text(source, logs).split("\n")
    return "\n".join(lines[:start] + section + lines[end:])
