"""Full-text search over published entries with the database's own engine.

SQLite (the embedded default) uses an FTS5 table kept up to date by ``reindex``; PostgreSQL
uses its text search functions directly. Both return ranked hits with a highlighted snippet.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.diagnosing import current_matcher
from kb.models import Entry

FTS_TABLE = "kb_entry_fts"
# Characters that cannot occur in entry text mark the highlighted words until escaping is done.
MARK_START, MARK_END = "\x02", "\x03"
WORD = re.compile(r"[A-Za-z0-9]+")
MAX_WORDS = 40
BODY_FIELDS = ("meaning", "fix", "verify", "triage", "examples", "background", "prevention")


@dataclass
class SearchHit:
    entry: Entry
    snippet: SafeString


def query_words(query: str) -> list[str]:
    words = [word.lower() for word in WORD.findall(query)]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def search_entries(query: str, limit: int = 20) -> list[SearchHit]:
    """Entries whose signatures recognise the query (a pasted error line) first, then the
    database's full-text ranking."""
    words = query_words(query)
    if not words:
        return []
    recognised = recognised_entries(query)
    full_text = _search_postgres if connection.vendor == "postgresql" else _search_sqlite
    ranked = full_text(words, limit)
    first = {hit.entry.pk for hit in recognised}
    return (recognised + [hit for hit in ranked if hit.entry.pk not in first])[:limit]


def recognised_entries(query: str) -> list[SearchHit]:
    codes = [match.code for match in current_matcher().diagnose(query).matches]
    entries = Entry.objects.published().select_related("tool").filter(code__in=codes)
    by_code = {entry.code: entry for entry in entries}
    return [SearchHit(by_code[code], escape(by_code[code].summary)) for code in codes if code in by_code]


def highlighted(snippet: str) -> SafeString:
    text = escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(text)


def _search_sqlite(words: list[str], limit: int) -> list[SearchHit]:
    match = " OR ".join(f'"{word}"' for word in words)
    sql = (
        f"SELECT entry_id, snippet({FTS_TABLE}, -1, %s, %s, '…', 24) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}, 0, 10, 8, 6, 5, 1) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, match, limit])
        rows = cursor.fetchall()
    entries = Entry.objects.published().select_related("tool").in_bulk([row[0] for row in rows])
    return [SearchHit(entries[pk], highlighted(snippet)) for pk, snippet in rows if pk in entries]


def _search_postgres(words: list[str], limit: int) -> list[SearchHit]:
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    vector = (
        SearchVector("code", "title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("header", weight="B", config="english")
        + SearchVector(*BODY_FIELDS, weight="D", config="english")
    )
    headline = SearchHeadline(
        "summary_and_meaning", query, config="english", start_sel=MARK_START, stop_sel=MARK_END, max_words=30
    )
    entries = (
        Entry.objects.published()
        .select_related("tool")
        .annotate(rank=SearchRank(vector, query))
        .filter(rank__gt=0)
        .order_by("-rank", "code")[:limit]
    )
    hits = list(entries)
    snippets = dict(
        Entry.objects.filter(pk__in=[e.pk for e in hits])
        .annotate(summary_and_meaning=_concat("summary", "header", "meaning"))
        .annotate(snippet=headline)
        .values_list("pk", "snippet")
    )
    return [SearchHit(entry, highlighted(snippets[entry.pk])) for entry in hits]


def _concat(*fields: str) -> Concat:
    parts: list = []
    for name in fields:
        parts += [name, Value(" ")]
    return Concat(*parts[:-1], output_field=TextField())


def reindex(entry: Entry) -> None:
    """Keep the SQLite FTS5 row of ``entry`` in step with it (PostgreSQL needs no index table)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE entry_id = %s", [entry.pk])
        if entry.status == Entry.Status.PUBLISHED:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (entry_id, code, title, summary, header, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [entry.pk, entry.code.replace("_", " "), entry.title, entry.summary, entry.header, _body(entry)],
            )


def forget(entry_pk: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE entry_id = %s", [entry_pk])


def _body(entry: Entry) -> str:
    return "\n\n".join(getattr(entry, name) for name in BODY_FIELDS)
