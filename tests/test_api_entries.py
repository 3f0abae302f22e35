from django.test import TestCase

from tests.helpers import make_entry, make_reference, make_signature


class EntriesApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_entry("HASH_MISMATCH", meaning="**Means** this.", header="ERROR: THESE PACKAGES")
        cls.entry.causes.create(position=0, title="Interrupted download", body="Cut short.")
        make_signature(cls.entry, "THESE PACKAGES DO NOT MATCH THE HASHES")
        make_reference(cls.entry, "24.0", "HashMismatch", 290, 330)
        make_reference(cls.entry, "26.2.1", "HashMismatch", 612, 650)
        make_entry("UNPUBLISHED", status="draft")

    def test_the_list_has_every_published_entry_in_the_contract_shape(self):
        data = self.client.get("/api/entries").json()
        self.assertEqual([e["code"] for e in data["entries"]], ["HASH_MISMATCH"])
        item = data["entries"][0]
        self.assertEqual(set(item), {"code", "tool", "title", "url", "updated"})
        self.assertEqual(item["url"], "http://testserver/pip/hash-mismatch/")
        self.assertEqual(item["tool"], "pip")

    def test_one_entry_has_markdown_sections_signatures_and_every_source(self):
        data = self.client.get("/api/entries/pip/HASH_MISMATCH").json()
        self.assertEqual(data["sections"]["meaning"], "**Means** this.")
        self.assertEqual(data["signatures"][0]["pattern"], "THESE PACKAGES DO NOT MATCH THE HASHES")
        self.assertEqual(data["causes"], [{"title": "Interrupted download", "body": "Cut short."}])
        sources = {source["version"]: source for source in data["sources"]}
        self.assertEqual(set(sources), {"24.0", "26.2.1"})
        self.assertEqual(
            sources["24.0"],
            {
                "version": "24.0",
                "path": "src/pip/_internal/exceptions.py",
                "symbol": "HashMismatch",
                "start_line": 290,
                "end_line": 330,
                "url": "https://github.com/pypa/pip/blob/24.0/src/pip/_internal/exceptions.py#L290-L330",
            },
        )

    def test_an_unknown_or_draft_entry_is_a_json_404(self):
        for url in ("/api/entries/pip/NOPE", "/api/entries/pip/UNPUBLISHED"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404)
            self.assertIn("no published entry", response.json()["error"])
