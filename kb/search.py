"""Full-text search over published entries with the database's own engine.

SQLite (the embedded default) uses an FTS5 table, PostgreSQL a table of weighted ``tsvector``
documents; ``reindex`` keeps either in step with the entry. Both rank every match, so the count
is the real count. Words one or two keystrokes from a catalogue word are searched as that word
too, and question words are dropped, the same way on both databases. Snippets come from the
entry's text without its Markdown.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.diagnosing import current_matcher
from kb.diagnosis import Matcher
from kb.models import Entry
from kb.spelling import Vocabulary

FTS_TABLE = "kb_entry_fts"
PG_TABLE = "kb_entry_search"
WORD = re.compile(r"[A-Za-z0-9]+")
MAX_WORDS = 40
# Only the start of a pasted line is read: pip puts what identifies an error first, and the
# search then costs the same for a 300-character line as for a 3000-character one.
MAX_QUERY_CHARS = 500
SNIPPET_WORDS = 30
LISTED_FIELDS = ("code", "slug", "title", "summary", "header", "meaning", "updated", "tool__slug")
BODY_FIELDS = ("meaning", "fix", "verify", "triage", "examples", "background", "prevention")
QUESTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "can",
        "could",
        "do",
        "does",
        "doing",
        "get",
        "getting",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "so",
        "the",
        "this",
        "to",
        "what",
        "when",
        "where",
        "which",
        "why",
        "with",
        "you",
    ]
)
MARKDOWN_NOISE = [
    (re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.MULTILINE), " "),  # code fence lines
    (re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"^\s*(?:#{1,6}|>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # headings, quotes, lists
    (re.compile(r"`+|\*\*|__|(?<!\w)[*_]|[*_](?!\w)|<[^>\n]*>"), ""),  # code spans, emphasis, tags
    (re.compile(r"\s+"), " "),
]


@dataclass
class SearchHit:
    entry: Entry
    snippet: SafeString


@dataclass
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0


@dataclass
class SearchVocabulary:
    matcher: Matcher | None = None
    vocabulary: Vocabulary | None = None


_vocabulary = SearchVocabulary()


def plain_text(markdown: str) -> str:
    """Entry Markdown as a reader sees the words: no fences, backticks, list markers or links."""
    for pattern, replacement in MARKDOWN_NOISE:
        markdown = pattern.sub(replacement, markdown)
    return markdown.strip()


def query_words(query: str) -> list[str]:
    words = [word.lower() for word in WORD.findall(query[:MAX_QUERY_CHARS])]
    return [word for word in dict.fromkeys(words) if word not in QUESTION_WORDS][:MAX_WORDS]


def catalogue_vocabulary(matcher: Matcher) -> Vocabulary:
    """The words of published entries' codes, titles, summaries and headers, rebuilt with the
    matcher, which every process rebuilds whenever an entry changes anywhere."""
    if _vocabulary.matcher is not matcher:
        fields = Entry.objects.published().values_list("code", "title", "summary", "header")
        _vocabulary.vocabulary = Vocabulary(" ".join(row).replace("_", " ") for row in fields)
        _vocabulary.matcher = matcher
    return _vocabulary.vocabulary


def with_corrections(words: list[str], vocabulary: Vocabulary) -> list[str]:
    corrections = [vocabulary.correct(word) for word in words]
    return list(dict.fromkeys(words + [word for word in corrections if word]))[:MAX_WORDS]


def search(query: str, limit: int = 20) -> SearchResults:
    """Entries whose signatures recognise the query (a pasted error line) first, then the
    database's full-text ranking of the words and their corrections."""
    words = query_words(query)
    if not words:
        return SearchResults()
    matcher = current_matcher()
    words = with_corrections(words, catalogue_vocabulary(matcher))
    recognised = recognised_entries(matcher, query[:MAX_QUERY_CHARS])
    ranked_pks = _ranked_postgres(words) if connection.vendor == "postgresql" else _ranked_sqlite(words)
    pks = list(dict.fromkeys([entry.pk for entry in recognised] + ranked_pks))
    entries = Entry.objects.published().select_related("tool").only(*LISTED_FIELDS).in_bulk(pks[:limit])
    marked = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\w*", re.IGNORECASE)
    hits = [SearchHit(entries[pk], snippet(entries[pk], marked)) for pk in pks[:limit] if pk in entries]
    return SearchResults(hits=hits, total=len(pks))


def search_entries(query: str, limit: int = 20) -> list[SearchHit]:
    return search(query, limit).hits


def recognised_entries(matcher: Matcher, query: str) -> list[Entry]:
    codes = [match.code for match in matcher.diagnose(query).matches]
    if not codes:
        return []
    by_code = {entry.code: entry for entry in Entry.objects.published().filter(code__in=codes).only("pk", "code")}
    return [by_code[code] for code in codes if code in by_code]


def snippet(entry: Entry, marked: re.Pattern[str]) -> SafeString:
    """About 30 words of the summary, header and meaning around the first searched word, with
    the searched words marked."""
    text = snippet_source(entry.pk, entry.updated, entry.summary, entry.header, entry.meaning)
    shown = text.split(" ")
    first = marked.search(text)
    start = max(0, text[: first.start()].count(" ") - 8) if first else 0
    excerpt = " ".join(shown[start : start + SNIPPET_WORDS])
    html = marked.sub(lambda found: f"\x02{found.group(0)}\x03", excerpt)
    ellipsis_before = "… " if start > 0 else ""
    ellipsis_after = " …" if start + SNIPPET_WORDS < len(shown) else ""
    html = escape(ellipsis_before + html + ellipsis_after).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return mark_safe(html)


@lru_cache(maxsize=512)
def snippet_source(pk: int, updated: datetime, *parts: str) -> str:
    """Each version of an entry is stripped of its Markdown once per process."""
    return plain_text("\n".join(parts))


def _ranked_sqlite(words: list[str]) -> list[int]:
    match = " OR ".join(f'"{word}"' for word in words)
    sql = f"SELECT entry_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}, 0, 10, 8, 6, 5, 1)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [match])
        return [int(row[0]) for row in cursor.fetchall()]


def _ranked_postgres(words: list[str]) -> list[int]:
    sql = (
        f"SELECT entry_id FROM {PG_TABLE}, to_tsquery('english', %s) query "
        "WHERE document @@ query ORDER BY ts_rank(document, query) DESC, entry_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [" | ".join(words)])
        return [row[0] for row in cursor.fetchall()]


def reindex(entry: Entry) -> None:
    """Keep the entry's search row in step with it: there while published, gone otherwise."""
    forget(entry.pk)
    if entry.status != Entry.Status.PUBLISHED:
        return
    names = f"{entry.code.replace('_', ' ')} {entry.title}"
    lead = f"{entry.summary} {entry.header}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {PG_TABLE} (entry_id, document) VALUES (%s, "
                "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B') "
                "|| setweight(to_tsvector('english', %s), 'D'))",
                [entry.pk, names, lead, _body(entry)],
            )
        else:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (entry_id, code, title, summary, header, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [entry.pk, entry.code.replace("_", " "), entry.title, entry.summary, entry.header, _body(entry)],
            )


def forget(entry_pk: int) -> None:
    table = PG_TABLE if connection.vendor == "postgresql" else FTS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE entry_id = %s", [entry_pk])


def _body(entry: Entry) -> str:
    return plain_text("\n\n".join(getattr(entry, name) for name in BODY_FIELDS))
