"""How the shipped catalogue diagnoses the labelled real logs in ../shared/corpus.

Prints, per log, the expected root cause and what the engine says, then the share of logs
whose root cause is right (``NONE`` means the log shows no pip error: no error-severity match).

    .venv/bin/python bench/corpus.py [CORPUS_DIR]
"""

import json
import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
django.setup()

from kb.catalogue import matcher_from_files  # noqa: E402
from kb.diagnosis import read_log  # noqa: E402


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    labels = json.loads((corpus / "labels.json").read_text())
    matcher, _ = matcher_from_files(ROOT / "fixtures" / "entries")
    right = 0
    for name, label in sorted(labels.items()):
        diagnosis = matcher.diagnose(read_log((corpus / name).read_bytes(), 10 * 1024 * 1024))
        codes = [match.code for match in diagnosis.matches]
        errors = [match.code for match in diagnosis.matches if match.severity == "error"]
        expected = label["expected"]
        ok = (not errors) if expected == "NONE" else bool(codes) and codes[0] in [expected, *label["also"]]
        right += ok
        print(f"{'ok ' if ok else 'BAD'} {name}: expected {expected:<38} got {codes[:4]}")
    print(f"{right}/{len(labels)} root causes right ({right / len(labels):.0%})")


if __name__ == "__main__":
    main()
