"""Hostile and odd requests get an answer a person understands, never a server error."""

import io

from django.test import Client, SimpleTestCase, TestCase, override_settings

from kb.middleware import PERMISSIONS_POLICY
from kb.models import Entry
from kb.settings import proxy_ssl_header
from kb.uploads import read_chunked_bodies
from tests.helpers import make_entry

TOO_LARGE = "larger than the 1,000 bytes we accept"


class ErrorsAreAnswersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_entry("HASH_MISMATCH")

    def test_json_nested_a_thousand_levels_deep_is_a_400_with_a_sentence(self):
        for body in ("[" * 1000, "[" * 100_000 + "]" * 100_000, '{"log": ' * 5000):
            with self.subTest(length=len(body)):
                response = self.client.post("/api/diagnose", body, content_type="application/json")
                self.assertEqual(response.status_code, 400)
                self.assertIn("not valid JSON", response.json()["error"])

    def test_a_json_line_holding_half_a_surrogate_pair_is_diagnosed_not_a_500(self):
        log = '{"log": "cut \\ud800 here\\n", "stream": "stderr"}\n'
        response = self.client.post("/api/diagnose", log, content_type="text/plain")
        self.assertEqual(response.status_code, 200)

    def test_a_nul_byte_in_the_address_is_a_400_not_a_database_error(self):
        for address in ("/api/entries/pip/%00", "/api/entries/pip/a%00b", "/pip/hash%00mismatch/", "/search/?q=a%00b"):
            with self.subTest(address=address):
                self.assertEqual(self.client.get(address).status_code, 400)

    def test_head_answers_on_every_public_page(self):
        for address in (
            "/",
            "/healthz",
            "/pip/hash-mismatch/",
            "/category/hash-checking/",
            "/search/?q=hash",
            "/diagnose/",
            "/api/entries",
            "/api/entries/pip/HASH_MISMATCH",
            "/robots.txt",
            "/sitemap.xml",
            "/staff/login/",
        ):
            with self.subTest(address=address):
                response = self.client.head(address)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content, b"")

    def test_every_page_denies_powerful_browser_features(self):
        for address in ("/", "/pip/hash-mismatch/", "/nowhere/", "/api/entries"):
            with self.subTest(address=address):
                self.assertEqual(self.client.get(address)["Permissions-Policy"], PERMISSIONS_POLICY)
        self.assertIn("camera=()", PERMISSIONS_POLICY)


@override_settings(KB_MAX_LOG_BYTES=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
class OversizedBrowserPasteTests(TestCase):
    """A browser sends the CSRF token in the body, so Django reads the body inside the CSRF
    check, before the view could turn its size into the diagnosis page's 413."""

    def setUp(self):
        self.browser = Client(enforce_csrf_checks=True)
        self.browser.get("/diagnose/")
        self.token = self.browser.cookies["csrftoken"].value

    def test_a_multipart_paste_over_the_limit_gets_the_413_sentence(self):
        paste = "ERROR: token=hunter2secret " + "x" * 5000
        response = self.browser.post("/diagnose/", {"csrfmiddlewaretoken": self.token, "log": paste})
        self.assertContains(response, TOO_LARGE, status_code=413)
        self.assertNotContains(response, "hunter2secret", status_code=413)

    def test_an_urlencoded_paste_over_the_limit_gets_the_413_sentence(self):
        body = f"csrfmiddlewaretoken={self.token}&log=" + "x" * 5000
        response = self.browser.post("/diagnose/", body, content_type="application/x-www-form-urlencoded")
        self.assertContains(response, TOO_LARGE, status_code=413)

    def test_an_upload_is_refused_by_its_declared_size_before_it_is_read(self):
        # The body holds a few bytes but declares 200 MB: reading past them would fail the test.
        body = b'--B\r\nContent-Disposition: form-data; name="upload"; filename="a.log"\r\n\r\nx\r\n--B--\r\n'
        response = self.browser.generic(
            "POST", "/diagnose/", body, content_type="multipart/form-data; boundary=B", CONTENT_LENGTH=str(200 << 20)
        )
        self.assertContains(response, TOO_LARGE, status_code=413)

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
    def test_other_unreadable_bodies_keep_their_400(self):
        fields = {f"field{number}": "x" for number in range(10)}
        response = self.browser.post("/diagnose/", {"csrfmiddlewaretoken": self.token, **fields})
        self.assertEqual(response.status_code, 400)


class ChunkedBodyTests(SimpleTestCase):
    """``curl -T -`` and streaming clients send no Content-Length."""

    def run_app(self, body: bytes) -> dict:
        seen = {}

        def application(environ, start_response):
            seen["length"] = int(environ["CONTENT_LENGTH"])
            seen["body"] = environ["wsgi.input"].read(seen["length"])
            return []

        environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body), "REQUEST_METHOD": "POST"}
        read_chunked_bodies(application)(environ, lambda *args: None)
        return seen

    def test_a_chunked_body_is_read_and_given_its_length(self):
        self.assertEqual(self.run_app(b"ERROR: x\n"), {"length": 9, "body": b"ERROR: x\n"})

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_an_endless_chunked_body_is_read_one_byte_past_the_limit_for_djangos_413(self):
        self.assertEqual(self.run_app(b"x" * 10_000)["length"], 101)


class ProxySettingsTests(SimpleTestCase):
    def test_the_https_header_of_a_proxy_is_trusted_only_when_named(self):
        self.assertIsNone(proxy_ssl_header(""))
        self.assertEqual(proxy_ssl_header("X-Forwarded-Proto"), ("HTTP_X_FORWARDED_PROTO", "https"))

    def test_by_default_a_client_cannot_claim_https(self):
        response = self.client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
        self.assertFalse(response.wsgi_request.is_secure())


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_entry("HASH_MISMATCH", title="The first title")

    def test_query_strings_share_one_cached_page(self):
        self.client.get("/pip/hash-mismatch/?utm_source=1")
        Entry.objects.update(title="A title the cache has not seen")  # no save signal: the cache stays
        for number in range(2, 6):
            response = self.client.get(f"/pip/hash-mismatch/?utm_source={number}")
            self.assertContains(response, "The first title")
