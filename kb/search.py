"""Full-text search over published entries with the database's own engine.

SQLite (the embedded default) uses an FTS5 table, PostgreSQL a table of weighted ``tsvector``
documents; ``reindex`` keeps either in step with the entry. Both rank every match, so the count
is the real count. Words one or two keystrokes from a catalogue word are searched as that word
too, and question words are dropped, the same way on both databases. Snippets come from the
entry's text without its Markdown.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.diagnosing import current_matcher, error_lines
from kb.diagnosis import Matcher
from kb.models import Entry
from kb.remembered import Remembered
from kb.spelling import Vocabulary

FTS_TABLE = "kb_entry_fts"
PG_TABLE = "kb_entry_search"
WORD = re.compile(r"[A-Za-z0-9]+")
MAX_WORDS = 40
# Only the start of a pasted line is read: pip puts what identifies an error first, and the
# search then costs the same for a 300-character line as for a 3000-character one.
MAX_QUERY_CHARS = 500
SNIPPET_WORDS = 30
# The answers to this many recent queries, and the search pages of this many, are kept per
# process until an entry changes: a page weighs up to about 15 KB.
REMEMBERED_QUERIES = 1000
REMEMBERED_PAGES = 500
LISTED_FIELDS = ("code", "slug", "title", "summary", "header", "meaning", "tool__slug")
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
class Listing:
    """What search shows of the published entries, built once per matcher: every process
    rebuilds its matcher whenever an entry changes anywhere, so this is never staler."""

    matcher: Matcher | None = None
    entries: dict[int, Entry] = field(default_factory=dict)
    by_code: dict[str, Entry] = field(default_factory=dict)
    snippet_text: dict[int, str] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary([]))
    # Both are dropped with the listing, so no answer outlives a change to an entry.
    answers: Remembered[SearchResults] = field(default_factory=lambda: Remembered(REMEMBERED_QUERIES))
    pages: Remembered[bytes] = field(default_factory=lambda: Remembered(REMEMBERED_PAGES))


_listing = Listing()


def published_listing(matcher: Matcher) -> Listing:
    global _listing
    if _listing.matcher is not matcher:
        entries = list(Entry.objects.published().select_related("tool").only(*LISTED_FIELDS))
        _listing = Listing(
            matcher=matcher,
            entries={entry.pk: entry for entry in entries},
            by_code={entry.code: entry for entry in entries},
            snippet_text={
                entry.pk: plain_text("\n".join((entry.summary, entry.header, entry.meaning))) for entry in entries
            },
            vocabulary=Vocabulary(
                f"{entry.code.replace('_', ' ')} {entry.title} {entry.summary} {entry.header}" for entry in entries
            ),
        )
    return _listing


def plain_text(markdown: str) -> str:
    """Entry Markdown as a reader sees the words: no fences, backticks, list markers or links."""
    for pattern, replacement in MARKDOWN_NOISE:
        markdown = pattern.sub(replacement, markdown)
    return markdown.strip()


def query_words(query: str) -> list[str]:
    words = [word.lower() for word in WORD.findall(query[:MAX_QUERY_CHARS])]
    return [word for word in dict.fromkeys(words) if word not in QUESTION_WORDS][:MAX_WORDS]


def with_corrections(words: list[str], vocabulary: Vocabulary) -> list[str]:
    corrections = [vocabulary.correct(word) for word in words]
    return list(dict.fromkeys(words + [word for word in corrections if word]))[:MAX_WORDS]


def search(query: str, limit: int = 10) -> SearchResults:
    """Entries whose signatures recognise the query (a pasted error line) first, then the
    database's full-text ranking of the words and their corrections. A query asked again
    before any entry changes gets the same answer without asking the database."""
    query = query[:MAX_QUERY_CHARS]
    if not query_words(query):
        return SearchResults()
    listing = published_listing(current_matcher())
    return listing.answers.get_or_make(f"{limit}\n{query}", lambda: _search(query, listing, limit))


def remembered_page(address: str, render: Callable[[], bytes]) -> bytes:
    """The search page at ``address`` (its whole URL: the page shows the query), rendered once
    until an entry changes."""
    return published_listing(current_matcher()).pages.get_or_make(address, render)


def _search(query: str, listing: Listing, limit: int) -> SearchResults:
    words = with_corrections(query_words(query), listing.vocabulary)
    recognised = [listing.by_code[match.code].pk for match in listing.matcher.diagnose(query).matches]
    ranked = _ranked_postgres(words) if connection.vendor == "postgresql" else _ranked_sqlite(words)
    pks = [pk for pk in dict.fromkeys(recognised + ranked) if pk in listing.entries]
    marked = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\w*", re.IGNORECASE)
    hits = [SearchHit(listing.entries[pk], snippet(listing.snippet_text[pk], marked)) for pk in pks[:limit]]
    return SearchResults(hits=hits, total=len(pks))


def search_entries(query: str, limit: int = 10) -> list[SearchHit]:
    return search(query, limit).hits


def snippet(text: str, marked: re.Pattern[str]) -> SafeString:
    """About 30 words of an entry's summary, header and meaning around the first searched word,
    with the searched words marked."""
    shown = text.split(" ")
    first = marked.search(text)
    start = max(0, text[: first.start()].count(" ") - 8) if first else 0
    excerpt = " ".join(shown[start : start + SNIPPET_WORDS])
    html = marked.sub(lambda found: f"\x02{found.group(0)}\x03", excerpt)
    ellipsis_before = "… " if start > 0 else ""
    ellipsis_after = " …" if start + SNIPPET_WORDS < len(shown) else ""
    html = escape(ellipsis_before + html + ellipsis_after).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return mark_safe(html)


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


def entries_for_log(text: str) -> list[SearchHit]:
    """The entries that mention a log's first error lines, for a log nothing matched."""
    hits: dict[int, SearchHit] = {}
    for line in error_lines(text):
        for hit in search_entries(line, limit=3):
            hits.setdefault(hit.entry.pk, hit)
    return list(hits.values())[:8]
