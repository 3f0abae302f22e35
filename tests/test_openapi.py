"""The OpenAPI 3.1 document at /api/openapi.json describes what the API really answers."""

from django.test import TestCase
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tests.helpers import make_entry, make_reference, make_signature
from tests.test_diagnose import HASH_LOG


class OpenApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        entry = make_entry("HASH_MISMATCH", symbols="HashMismatch")
        make_signature(entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
        make_reference(entry, "24.0", "HashMismatch", 10, 20)

    def setUp(self):
        self.document = self.client.get("/api/openapi.json").json()

    def schema_of(self, path: str, method: str, status: str) -> dict:
        """The response schema, with the document's components so that $refs resolve."""
        response = self.document["paths"][path][method]["responses"][status]
        schema = response["content"]["application/json"]["schema"]
        return {**schema, "components": self.document["components"]}

    def assert_valid(self, instance: dict, schema: dict) -> None:
        Draft202012Validator.check_schema(schema)
        Draft202012Validator(schema).validate(instance)

    def test_it_is_openapi_3_1_for_this_server(self):
        self.assertEqual(self.document["openapi"], "3.1.0")
        self.assertEqual(self.document["servers"], [{"url": "http://testserver"}])

    def test_a_real_diagnosis_matches_the_documented_shape(self):
        answer = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain").json()
        self.assertEqual(answer["matches"][0]["code"], "HASH_MISMATCH")
        self.assert_valid(answer, self.schema_of("/api/diagnose", "post", "200"))

    def test_the_documented_outcome_and_tool_are_the_ones_the_api_gives(self):
        answer = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain").json()
        properties = self.document["components"]["schemas"]["Diagnosis"]["properties"]
        self.assertIn(answer["outcome"], properties["outcome"]["enum"])
        self.assertEqual(answer["tool"], "pip")

    def test_errors_match_the_documented_shape(self):
        answer = self.client.post("/api/diagnose", "  \n", content_type="text/plain")
        self.assertEqual(answer.status_code, 400)
        self.assert_valid(answer.json(), self.schema_of("/api/diagnose", "post", "400"))
        missing = self.client.get("/api/entries/pip/NO_SUCH_CODE")
        self.assert_valid(missing.json(), self.schema_of("/api/entries/{tool}/{code}", "get", "404"))

    def test_the_entry_list_and_one_entry_match_their_shapes(self):
        self.assert_valid(self.client.get("/api/entries").json(), self.schema_of("/api/entries", "get", "200"))
        entry = self.client.get("/api/entries/pip/HASH_MISMATCH").json()
        self.assert_valid(entry, self.schema_of("/api/entries/{tool}/{code}", "get", "200"))

    def test_a_changed_answer_would_fail_the_schema(self):
        answer = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain").json()
        answer["matches"][0]["lines"] = "12-16"
        with self.assertRaises(ValidationError):
            self.assert_valid(answer, self.schema_of("/api/diagnose", "post", "200"))

    def test_the_api_page_gives_a_curl_line_for_ci_and_links_the_document(self):
        html = self.client.get("/api/").content.decode()
        self.assertIn(
            "curl -sS --data-binary @pip.log -H 'Content-Type: text/plain' http://testserver/api/diagnose", html
        )
        self.assertIn('href="/api/openapi.json"', html)
