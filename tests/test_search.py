import io
import logging
import urllib.parse

from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import TestCase, override_settings

from kb.log_filters import RedactSecrets
from kb.models import Entry
from kb.search import search_entries
from tests.helpers import make_entry, make_signature


class SearchTests(TestCase):
    """Runs on whichever database the suite runs on: FTS5 on SQLite, text search on PostgreSQL."""

    @classmethod
    def setUpTestData(cls):
        make_entry(
            "HASH_MISMATCH",
            title="Downloaded file does not match the hash pinned in the requirements",
            header="ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated "
            "the package versions, please update the hashes.",
            meaning="pip compared the sha256 of the file it downloaded with the hash you pinned.",
        )
        make_entry(
            "HASH_MISSING",
            title="Hashes are required but missing",
            header="ERROR: Hashes are required in --require-hashes mode, but they are missing from some requirements.",
            meaning="Every requirement needs a hash once one does.",
        )
        make_entry(
            "DISTRIBUTION_NOT_FOUND",
            title="No version satisfies the requirement",
            header="ERROR: Could not find a version that satisfies the requirement",
            meaning="The index has no release that fits.",
        )
        make_entry("SECRET_DRAFT", title="Draft about hashes", status=Entry.Status.DRAFT)
        not_found = Entry.objects.get(code="DISTRIBUTION_NOT_FOUND")
        make_signature(not_found, "No matching distribution found for")

    def codes(self, query: str) -> list[str]:
        return [hit.entry.code for hit in search_entries(query)]

    def test_a_pasted_error_line_finds_its_entry_first(self):
        codes = self.codes("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.")
        self.assertEqual(codes[0], "HASH_MISMATCH")

    def test_a_pasted_line_finds_the_entry_its_signature_recognises_first(self):
        make_entry("WORDY_NEIGHBOUR", title="No matching distribution found for requests", summary="Words alike.")
        query = "ERROR: No matching distribution found for requests==9.9"
        self.assertEqual(self.codes(query)[:2], ["DISTRIBUTION_NOT_FOUND", "WORDY_NEIGHBOUR"])

    def test_words_find_entries_ranked_by_relevance(self):
        self.assertEqual(self.codes("missing hashes")[0], "HASH_MISSING")
        self.assertEqual(self.codes("could not find a version")[0], "DISTRIBUTION_NOT_FOUND")

    def test_results_carry_a_highlighted_and_escaped_snippet(self):
        hit = search_entries("sha256 downloaded")[0]
        self.assertIn("<mark>", hit.snippet)
        self.assertNotIn("\x02", hit.snippet)

    def test_drafts_are_never_found(self):
        self.assertNotIn("SECRET_DRAFT", self.codes("draft hashes"))

    def test_queries_with_search_syntax_are_taken_as_words(self):
        for query in ['"unbalanced', "NEAR(a b)", "a AND OR NOT", "hash* -x ^y", "'; DROP TABLE kb_entry; --", "é ü ß"]:
            with self.subTest(query=query):
                search_entries(query)

    def test_the_search_page_suggests_the_paste_page_when_nothing_matches(self):
        response = self.client.get("/search/", {"q": "zzzqqq nothing like this"})
        self.assertContains(response, "paste it into the diagnosis page")

    def test_the_search_page_lists_hits_with_snippets(self):
        response = self.client.get("/search/", {"q": "require-hashes missing"})
        self.assertContains(response, "HASH_MISSING")
        self.assertContains(response, "<mark>")

    def test_an_edit_is_searchable_at_once_even_by_a_query_asked_before(self):
        self.assertEqual(self.codes("platypus"), [])
        entry = Entry.objects.get(code="DISTRIBUTION_NOT_FOUND")
        entry.meaning = "Mentions the word platypus."
        entry.save()
        self.assertEqual(self.codes("platypus"), ["DISTRIBUTION_NOT_FOUND"])

    def test_a_search_page_shown_before_an_edit_shows_the_edit_after_it(self):
        self.assertContains(self.client.get("/search/", {"q": "platypus"}), "No entry matches")
        entry = Entry.objects.get(code="DISTRIBUTION_NOT_FOUND")
        entry.title = "Platypus not found"
        entry.save()
        self.assertContains(self.client.get("/search/", {"q": "platypus"}), "Platypus not found")

    def test_only_the_start_of_an_overlong_paste_is_searched(self):
        self.assertEqual(self.codes("zzz " * 200 + "missing hashes"), [])
        response = self.client.get("/search/", {"q": "missing hashes " + "x" * 5000})
        self.assertContains(response, "HASH_MISSING")

    def test_questions_and_typos_find_their_entry(self):
        self.assertEqual(self.codes("hash missmatch")[0], "HASH_MISMATCH")
        self.assertEqual(self.codes("why are my hashes missing")[0], "HASH_MISSING")

    def test_the_count_is_every_match_not_the_number_shown(self):
        for number in range(25):
            make_entry(f"HASH_VARIANT_{number}", title=f"Hash variant {number}")
        response = self.client.get("/search/", {"q": "hash"})
        self.assertContains(response, "27 entries match; the 10 best are shown.")
        self.assertEqual(len(response.context["results"].hits), 10)

    def test_snippets_show_text_not_markdown(self):
        make_entry(
            "MARKDOWN_HEAVY",
            summary="The **wheel** could not be built.",
            meaning="1. Run `pip wheel .` and read [the log](https://example.org/log).\n\n```console\n$ pip\n```",
        )
        snippet = str(search_entries("wheel built")[0].snippet)
        self.assertEqual(
            snippet,
            "The <mark>wheel</mark> could not be <mark>built</mark>. Run pip <mark>wheel</mark> . and read the log"
            ". $ pip",
        )

    def test_a_secret_pasted_into_search_never_reaches_the_page_or_the_logs(self):
        line = "ERROR: Could not fetch URL https://deploy:SearchLeakPw1@pypi.internal/simple/foo/: 401"
        with self.assertLogs(level="DEBUG") as logs:
            logging.getLogger("kb").debug("the capture needs one record")
            response = self.client.get("/search/", {"q": line}, follow=True)
        self.assertEqual(response.redirect_chain[0][1], 302)
        self.assertNotIn("SearchLeakPw1", response.redirect_chain[0][0])
        self.assertNotContains(response, "SearchLeakPw1")
        self.assertContains(response, "pypi.internal")
        self.assertFalse([record for record in logs.output if "SearchLeakPw1" in record])

    def test_a_password_in_a_missing_address_never_reaches_the_404_page_or_the_log(self):
        with self.assertLogs("django.request", level="WARNING") as logs:
            response = self.client.get("/https://deploy:PathLeakPw9@pypi.internal/simple/")
        self.assertNotContains(response, "PathLeakPw9", status_code=404)
        self.assertContains(response, "pypi.internal/simple/", status_code=404)
        (record,) = logs.records
        self.assertTrue(RedactSecrets().filter(record))
        self.assertEqual(record.getMessage(), "Not Found: /https://[redacted]@pypi.internal/simple/")

    def test_the_development_server_logs_requests_without_query_strings_or_passwords(self):
        runserver = WSGIRequestHandler.__new__(WSGIRequestHandler)  # what runserver logs with
        runserver.request = None
        line = "ERROR: Could not fetch URL https://deploy:SearchLeakPw1@pypi.internal/simple/foo/: 401"
        with self.assertLogs(level="INFO") as logs:
            runserver.requestline = f"GET /search/?{urllib.parse.urlencode({'q': line})} HTTP/1.1"
            runserver.log_request(302, 0)
            runserver.requestline = "GET /https://deploy:PathLeakPw9@pypi.internal/simple/?token=QueryLeak HTTP/1.1"
            runserver.log_request(404, 0)
        written = []
        for record in logs.records:
            self.assertTrue(RedactSecrets().filter(record))  # as the console handler writes it
            written.append(record.getMessage())
        self.assertEqual(
            written,
            ['"GET /search/ HTTP/1.1" 302 0', '"GET /https://[redacted]@pypi.internal/simple/ HTTP/1.1" 404 0'],
        )

    def test_search_pages_are_kept_by_no_cache(self):
        cache_control = self.client.get("/search/", {"q": "hashes"})["Cache-Control"]
        self.assertIn("private", cache_control)
        self.assertIn("no-store", cache_control)

    @override_settings(KB_SEARCH_RATE_LIMIT=2, KB_RATE_WINDOW_SECONDS=24 * 60 * 60)  # no window edge mid-test
    def test_searches_are_throttled_per_client_and_the_404_page_stops_searching(self):
        statuses = [self.client.get("/search/", {"q": "hashes"}).status_code for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 429])
        self.assertContains(self.client.get("/search/", {"q": "hashes"}), "Too many searches", status_code=429)
        self.assertNotContains(self.client.get("/hash-mismatch/"), "Perhaps one of these", status_code=404)
        other = self.client.get("/hash-mismatch/", REMOTE_ADDR="10.9.9.9")
        self.assertContains(other, "Perhaps one of these", status_code=404)


class CatalogueSearchTests(TestCase):
    """The usability review's queries against the real catalogue, on whichever database runs."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())

    def rank(self, query: str, code: str) -> int:
        codes = [hit.entry.code for hit in search_entries(query)]
        return codes.index(code) + 1 if code in codes else 0

    def test_typos_and_questions_find_the_right_entry_in_the_top_three(self):
        cases = [
            ("hash missmatch", "HASH_MISMATCH"),
            ("externaly managed", "EXTERNALLY_MANAGED_ENVIRONMENT"),
            ("externaly managed enviroment", "EXTERNALLY_MANAGED_ENVIRONMENT"),
            ("how do I upgrade pip", "PIP_VERSION_OUTDATED"),
        ]
        for query, code in cases:
            with self.subTest(query=query):
                self.assertIn(self.rank(query, code), (1, 2, 3))

    def test_words_and_pasted_lines_find_the_right_entry_first(self):
        cases = [
            ("hash mismatch", "HASH_MISMATCH"),
            ("externally managed", "EXTERNALLY_MANAGED_ENVIRONMENT"),
            ("no matching distribution", "DISTRIBUTION_NOT_FOUND"),
            ("pg_config", "PG_CONFIG_MISSING"),
            ("Error: pg_config executable not found.", "PG_CONFIG_MISSING"),
            (
                "ERROR: Could not find a version that satisfies the requirement torchh==2.1.0 (from versions: none)",
                "DISTRIBUTION_NOT_FOUND",
            ),
            ("ModuleNotFoundError: No module named 'pip'", "NO_MODULE_NAMED_PIP"),
        ]
        for query, code in cases:
            with self.subTest(query=query):
                self.assertEqual(self.rank(query, code), 1)
