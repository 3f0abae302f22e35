"""Typo-forgiving words for search: each unknown word is matched to a catalogue word one or two
keystrokes away ("missmatch" to "mismatch", "enviroment" to "environment").

Plain Python. Lookups go through an index of every word with one letter deleted, so finding
the neighbours of a word costs a handful of dictionary lookups, whatever the vocabulary's size.
"""

import re
from collections import Counter
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+")
# Shorter words have too many neighbours one keystroke away to guess which was meant.
SHORTEST_CORRECTED = 5


def deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


class Vocabulary:
    """The words of some texts, and how often each occurs."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts = Counter(word for text in texts for word in WORD.findall(text.lower()))
        self.by_deletion: dict[str, set[str]] = {}
        for word in self.counts:
            for variant in deletions(word) | {word}:
                self.by_deletion.setdefault(variant, set()).add(word)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """The known word this one most likely misspells, or None if it is known or too far.

        >>> Vocabulary(["hash mismatch"]).correct("missmatch")
        'mismatch'
        """
        if word in self.counts or len(word) < SHORTEST_CORRECTED:
            return None
        # One deletion on either side covers a letter added, dropped, changed or swapped.
        candidates = set().union(*(self.by_deletion.get(variant, set()) for variant in deletions(word) | {word}))
        if not candidates:
            return None
        return max(candidates, key=lambda candidate: (self.counts[candidate], candidate))
