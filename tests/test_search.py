from django.test import TestCase

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

    def test_an_edit_is_searchable_at_once(self):
        entry = Entry.objects.get(code="DISTRIBUTION_NOT_FOUND")
        entry.meaning = "Mentions the word platypus."
        entry.save()
        self.assertEqual(self.codes("platypus"), ["DISTRIBUTION_NOT_FOUND"])

    def test_an_overlong_query_is_refused_not_crashed(self):
        response = self.client.get("/search/", {"q": "x" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ensure this value has at most 2000 characters")
