"""Every response carries a Content-Security-Policy that allows only this site's own files, and
the templates give it nothing inline to break."""

import re
from pathlib import Path

from django.conf import settings
from django.test import TestCase

from tests.helpers import make_entry

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=", re.IGNORECASE)


class ContentSecurityPolicyTests(TestCase):
    def test_pages_api_and_errors_carry_the_policy(self):
        entry = make_entry("HASH_MISMATCH")
        for url in ("/", entry.get_absolute_url(), "/staff/login/", "/api/entries/pip/HASH_MISMATCH", "/no/such/page/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                policy = response.headers["Content-Security-Policy"]
                self.assertIn("script-src 'self'", policy)
                self.assertNotIn("unsafe-inline", policy)

    def test_no_template_has_an_inline_script_style_or_event_handler(self):
        found = [
            f"{path.name}: {match.group(0).strip()}"
            for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
            for match in INLINE.finditer(path.read_text())
        ]
        self.assertEqual(found, [])

    def test_an_entry_page_has_no_inline_style_from_the_highlighter(self):
        entry = make_entry("HASH_MISMATCH", fix="```console\n$ pip hash x\n```", header="ERROR: x")
        self.assertNotRegex(self.client.get(entry.get_absolute_url()).content.decode(), INLINE)
