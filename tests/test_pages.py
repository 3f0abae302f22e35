import gzip
import io
import re
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils.http import http_date

from kb import rendering
from kb.models import Category, Entry
from tests.helpers import make_entry, make_reference

ENTRY_SECTION_ORDER = [
    "entry-title",
    "error-text-heading",
    "meaning-heading",
    "fix-heading",
    "causes-heading",
    "verify-heading",
    "triage-heading",
    "examples-heading",
    "background-heading",
    "prevention-heading",
    "source-heading",
    "related-heading",
]


def full_entry(code: str = "HASH_MISMATCH") -> Entry:
    entry = make_entry(
        code,
        header="ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.",
        **{name: f"Text of the {name} section.\n\n```console\n$ pip hash x.whl\n```" for name in Entry.SECTIONS},
    )
    entry.causes.create(position=0, title="An interrupted download", body="The file was cut short.")
    return entry


class EntryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = full_entry()
        cls.other = make_entry("HASH_MISSING")
        cls.entry.related.add(cls.other)
        make_reference(cls.entry, "24.0", "HashMismatch", 290, 330)
        make_reference(cls.entry, "20.3.4", "HashMismatch", 250, 290, path="src/pip/_internal/exceptions.py")
        make_reference(cls.entry, "26.2.1", "HashMismatch", 612, 650, path="src/pip/_internal/exceptions/hashes.py")

    def get_page(self):
        return self.client.get(self.entry.get_absolute_url())

    def test_the_entry_lives_at_a_readable_url(self):
        self.assertEqual(self.entry.get_absolute_url(), "/pip/hash-mismatch/")
        self.assertEqual(self.get_page().status_code, 200)

    def test_every_section_is_present_in_the_reading_order(self):
        html = self.get_page().content.decode()
        positions = [html.find(f'id="{anchor}"') for anchor in ENTRY_SECTION_ORDER]
        self.assertNotIn(-1, positions, dict(zip(ENTRY_SECTION_ORDER, positions, strict=True)))
        self.assertEqual(positions, sorted(positions))

    def test_the_title_and_heading_show_the_text_pip_prints_next_to_the_code(self):
        html = self.get_page().content.decode()
        printed = "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE."
        self.assertInHTML(
            f'<h1 id="entry-title"><span class="printed-line">{printed}</span> '
            '<span class="entry-code"><span class="tool">pip</span> · <code>HASH_MISMATCH</code></span></h1>',
            html,
        )
        self.assertIn(f"<title>{printed} (HASH_MISMATCH) · pip Error Knowledge Base</title>", html)
        self.assertIn('<meta name="description" content="Summary of HASH_MISMATCH.">', html)

    def test_a_long_first_line_is_cut_to_its_first_sentence_and_a_placeholder_is_shown_as_one(self):
        entry = make_entry("UNSUPPORTED_WHEEL", header="ERROR: {wheel} is not a supported wheel. More words here.\n")
        self.assertEqual(entry.printed_line, "ERROR: <wheel> is not a supported wheel")
        entry.header = "ERROR: " + "word " * 40
        self.assertEqual(entry.printed_line, "ERROR: " + "word " * 17 + "word …")

    def test_the_table_of_contents_links_every_section_and_each_heading_links_to_itself(self):
        html = self.get_page().content.decode()
        toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('<nav class="toc"'))]
        for anchor in ("how-to-fix-it", "why-it-happens", "where-this-is-raised", "related-errors"):
            self.assertIn(f'<a href="#{anchor}">', toc)
            self.assertIn(f'<a class="permalink" href="#{anchor}"', html)

    def test_the_quick_fix_is_shown_first_with_its_placeholders_marked(self):
        entry = make_entry("HASH_UNPINNED", meaning="Text.", quick_fix="python -m pip install --no-cache-dir {package}")
        html = self.client.get(entry.get_absolute_url()).content.decode()
        self.assertLess(html.index("Try this first"), html.index('id="meaning-heading"'))
        self.assertInHTML(
            '<pre class="copyable"><code>python -m pip install --no-cache-dir '
            '<span class="g-Placeholder">&lt;package&gt;</span></code></pre>',
            html,
        )

    def test_empty_sections_are_left_out(self):
        bare = make_entry("HASH_UNPINNED", meaning="Only meaning.")
        html = self.client.get(bare.get_absolute_url()).content.decode()
        self.assertIn('id="meaning-heading"', html)
        for anchor in ("fix-heading", "causes-heading", "examples-heading", "source-heading", "related-heading"):
            self.assertNotIn(f'id="{anchor}"', html)

    def test_commands_are_highlighted(self):
        self.assertContains(self.get_page(), '<span class="gp">$ </span>pip')

    def test_source_links_point_at_the_newest_release_lines(self):
        html = self.get_page().content.decode()
        newest = "https://github.com/pypa/pip/blob/26.2.1/src/pip/_internal/exceptions/hashes.py#L612-L650"
        self.assertIn(f'href="{newest}"', html)
        self.assertIn("lines 612–650, pip 26.2.1", html)
        self.assertRegex(html, r'<span class="linenos">612</span>')

    def test_a_method_inside_a_listed_class_is_marked_there_not_listed_twice(self):
        path = {"path": "src/pip/_internal/exceptions/hashes.py"}
        make_reference(self.entry, "26.2.1", "HashMismatch.body", 613, 613, snippet="    pass\n", **path)
        html = self.get_page().content.decode()
        self.assertIn("<code>HashMismatch</code> (with <code>HashMismatch.body</code> at lines 613–613)", html)
        self.assertIn('<span class="hll"><span class="linenos">613</span>', html)
        self.assertEqual(html.count('<figure class="source">'), 1)

    def test_a_release_that_makes_articles_differently_does_not_serve_the_cached_ones(self):
        entry = Entry.objects.get(pk=self.entry.pk)
        cache.set(rendering.article_cache_key(entry), "an article as the last release made it", timeout=None)
        self.assertEqual(rendering.article_html(entry), "an article as the last release made it")
        with mock.patch.object(rendering, "MAKER_DIGEST", "the-next-release"):
            self.assertIn('<section id="where-this-is-raised"', rendering.article_html(entry))

    def test_the_older_releases_show_where_the_symbol_moved(self):
        html = self.get_page().content.decode()
        self.assertIn("https://github.com/pypa/pip/blob/20.3.4/src/pip/_internal/exceptions.py#L250-L290", html)
        self.assertIn("moved to src/pip/_internal/exceptions/hashes.py in pip 26.2.1", html)

    def test_readers_pages_can_be_kept_and_revalidated_with_a_304(self):
        first = self.get_page()
        self.assertIn("public", first["Cache-Control"])
        self.assertIn("max-age=60", first["Cache-Control"])
        self.assertEqual(first["Last-Modified"], http_date(Entry.objects.get(pk=self.entry.pk).updated.timestamp()))
        again = self.client.get(self.entry.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual((again.status_code, again.content), (304, b""))
        since = self.client.get(self.entry.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        self.assertEqual(since.status_code, 304)
        self.entry.meaning = "Changed."
        self.entry.save()
        changed = self.client.get(self.entry.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed["ETag"], first["ETag"])

    def test_a_signed_in_editors_page_is_never_kept_by_a_shared_cache(self):
        self.client.force_login(User.objects.create_superuser("ed"))
        self.assertIn("private", self.get_page()["Cache-Control"])

    def test_html_is_compressed_for_clients_that_accept_it(self):
        response = self.client.get(self.entry.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn(b"HASH_MISMATCH", gzip.decompress(response.content))

    def test_link_previews_get_open_graph_tags(self):
        html = self.get_page().content.decode()
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn('<meta property="og:title" content="ERROR: THESE PACKAGES DO NOT MATCH THE HASHES', html)
        self.assertIn('<meta property="og:url" content="http://testserver/pip/hash-mismatch/">', html)

    def test_there_is_a_favicon_and_the_old_address_leads_to_it(self):
        self.assertContains(self.get_page(), '<link rel="icon" href="/static/kb/favicon.svg" type="image/svg+xml">')
        response = self.client.get("/favicon.ico")
        self.assertEqual((response.status_code, response["Location"]), (301, "/static/kb/favicon.svg"))

    def test_an_edit_shows_on_the_next_request(self):
        self.get_page()
        self.entry.meaning = "A brand new explanation."
        self.entry.save()
        self.assertContains(self.get_page(), "A brand new explanation.")

    def test_a_reader_landing_again_is_served_without_a_database_query(self):
        self.get_page()
        with self.assertNumQueries(0):
            self.assertContains(self.get_page(), "Text of the meaning section.")

    def test_a_signed_in_editor_never_gets_the_readers_cached_copy(self):
        self.get_page()
        editor = User.objects.create_user("ed", password="pw", is_superuser=True)
        self.client.force_login(editor)
        self.assertContains(self.get_page(), "Edit this entry")

    def test_a_new_cause_shows_on_the_next_request(self):
        self.get_page()
        self.entry.causes.create(position=5, title="A mirror serving another file")
        self.assertContains(self.get_page(), "A mirror serving another file")

    def test_a_draft_is_not_public(self):
        draft = make_entry("HASH_DRAFT", status=Entry.Status.DRAFT)
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)

    def test_the_code_in_the_url_redirects_to_the_canonical_address(self):
        response = self.client.get("/pip/HASH_MISMATCH/")
        self.assertRedirects(response, "/pip/hash-mismatch/", status_code=301)

    def test_the_page_declares_its_canonical_url(self):
        self.assertContains(self.get_page(), '<link rel="canonical" href="http://testserver/pip/hash-mismatch/">')


class ListPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for code in ("HASH_MISMATCH", "HASH_MISSING", "HASH_UNPINNED"):
            make_entry(code)
        make_entry("HIDDEN_DRAFT", status=Entry.Status.DRAFT)

    def test_home_lists_entries_by_category_in_two_queries(self):
        with self.assertNumQueries(2):
            response = self.client.get("/")
        self.assertContains(response, "HASH_MISSING")
        self.assertNotContains(response, "HIDDEN_DRAFT")
        self.assertContains(response, reverse("kb:diagnose"))
        self.assertContains(response, 'role="search"')

    def test_a_category_page_lists_its_published_entries(self):
        category = Category.objects.get(slug="hash-checking")
        with self.assertNumQueries(2):
            response = self.client.get(category.get_absolute_url())
        self.assertContains(response, "HASH_UNPINNED")
        self.assertNotContains(response, "HIDDEN_DRAFT")


class ConventionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_entry("HASH_MISMATCH")

    def test_an_unknown_entry_gives_a_404_page_with_suggestions(self):
        response = self.client.get("/pip/hash-mismatchh/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "No page here", status_code=404)
        self.assertContains(response, "/pip/hash-mismatch/", status_code=404)

    def test_the_sitemap_lists_published_entries(self):
        response = self.client.get("/sitemap.xml")
        self.assertContains(response, "<loc>http://testserver/pip/hash-mismatch/</loc>")
        self.assertContains(response, "<lastmod>")

    def test_robots_txt_points_at_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain")
        self.assertContains(response, "Sitemap: http://testserver/sitemap.xml")

    def test_pages_offer_a_skip_link_and_a_labelled_navigation(self):
        html = self.client.get("/").content.decode()
        self.assertIn('<a class="skip-link" href="#main">', html)
        self.assertIn('<nav aria-label="Main">', html)
        self.assertIn('aria-current="page"', html)

    def test_the_stylesheet_has_a_dark_scheme(self):
        css = (Path(settings.BASE_DIR) / "static/kb/site.css").read_text()
        self.assertIn("prefers-color-scheme: dark", css)


class ShippedCatalogueTests(TestCase):
    """The fixtures as shipped: every page renders."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())

    def test_every_page_renders(self):
        urls = ["/", "/search/?q=hash", "/diagnose/", "/sitemap.xml", "/robots.txt", "/api/entries"]
        urls += [category.get_absolute_url() for category in Category.objects.all()]
        for entry in Entry.objects.published():
            urls += [entry.get_absolute_url(), f"/api/entries/pip/{entry.code}"]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_every_page_runs_under_a_policy_that_forbids_inline_script_and_style(self):
        urls = ["/", "/search/?q=hash", "/diagnose/", "/no/such-page/", "/staff/login/"]
        urls += [entry.get_absolute_url() for entry in Entry.objects.published()]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                policy = response.headers["Content-Security-Policy"]
                self.assertIn("script-src 'self'", policy)
                self.assertIn("style-src 'self'", policy)
                html = response.content.decode()
                self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)[^>]*>")
                self.assertNotRegex(html, r"<[^>]+\s(style|on[a-z]+)=")
                self.assertNotIn("<style", html)

    def test_the_hash_category_holds_the_three_hash_entries(self):
        codes = set(Entry.objects.published().filter(category__slug="hash-checking").values_list("code", flat=True))
        self.assertTrue({"HASH_MISMATCH", "HASH_MISSING", "HASH_UNPINNED"} <= codes)

    def test_hash_mismatch_fills_every_section(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        empty = [name for name in Entry.SECTIONS if not getattr(entry, name).strip()]
        self.assertEqual(empty, [])
        self.assertGreaterEqual(entry.causes.count(), 5)
        html = self.client.get(entry.get_absolute_url()).content.decode()
        shown = re.findall(r"<section id=\"([\w-]+)\"", html)
        self.assertEqual(
            shown[:9],
            [
                "the-error-as-pip-prints-it",
                "what-this-error-means",
                "how-to-fix-it",
                "why-it-happens",
                "how-to-verify",
                "manual-triage",
                "examples",
                "background",
                "prevention-tips",
            ],
        )
