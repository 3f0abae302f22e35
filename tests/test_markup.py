from django.conf import settings
from django.test import SimpleTestCase

from kb.catalogue import read_entry_files
from kb.markup import render_markdown


class SanitizingTests(SimpleTestCase):
    def test_a_script_tag_in_an_entry_never_reaches_the_page(self):
        html = render_markdown("Before\n\n<script>alert('x')</script>\n\nAfter")
        self.assertNotIn("<script", html)
        self.assertIn("After", html)

    def test_event_handler_attributes_are_removed(self):
        html = render_markdown('<img src="x" onerror="alert(1)"> <a href="#" onclick="steal()">x</a>')
        self.assertNotIn("onerror", html)
        self.assertNotIn("onclick", html)

    def test_javascript_links_lose_their_target(self):
        html = render_markdown("[click me](javascript:alert(1)) and <a href='JaVaScRiPt:alert(2)'>two</a>")
        self.assertNotIn("javascript:", html.lower())
        self.assertIn("click me", html)

    def test_ordinary_links_are_kept_and_marked_nofollow(self):
        html = render_markdown("[pip docs](https://pip.pypa.io/en/stable/)")
        self.assertIn('href="https://pip.pypa.io/en/stable/"', html)
        self.assertIn("nofollow", html)

    def test_code_inside_a_fence_is_shown_as_text_not_markup(self):
        html = render_markdown("```text\n<script>alert(1)</script>\n```")
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)


class HighlightingTests(SimpleTestCase):
    def test_shell_commands_are_highlighted_with_a_prompt(self):
        html = render_markdown("```console\n$ pip hash ./sympy-1.12.tar.gz\n```")
        self.assertIn('class="highlight"', html)
        self.assertIn('<span class="gp">$ </span>', html)

    def test_pip_output_marks_error_lines(self):
        html = render_markdown("```text\nCollecting x\nERROR: THESE PACKAGES DO NOT MATCH\n```")
        self.assertIn('<span class="gr">ERROR: THESE PACKAGES DO NOT MATCH', html)

    def test_headings_get_anchors_prefixed_by_their_section(self):
        html = render_markdown("### Regenerate the hashes", anchor_prefix="fix")
        self.assertIn('id="md-fix-regenerate-the-hashes"', html)


class ListBlockTests(SimpleTestCase):
    def test_a_command_indented_under_a_numbered_step_stays_inside_that_step(self):
        html = render_markdown("1. Clear the cache:\n\n   ```console\n   $ pip cache purge\n   ```\n\n2. Retry.\n")
        first_step = html.split("</li>")[0]
        self.assertIn('<div class="highlight">', first_step)
        self.assertIn("cache", first_step)
        self.assertNotIn('<ol start="2">', html)

    def test_a_block_under_a_nested_bullet_stays_in_the_bullet(self):
        html = render_markdown("1. Step\n   - sub\n\n     ```text\n     ERROR: x\n     ```\n")
        self.assertRegex(html, r"<li>\s*<p>sub</p>\s*<div class=\"highlight\">")


class ShippedEntriesRenderTests(SimpleTestCase):
    def test_every_fence_in_every_entry_renders_as_a_highlighted_block(self):
        for entry_file in read_entry_files(settings.BASE_DIR / "fixtures" / "entries"):
            texts = list(entry_file.sections.values()) + [body for _, body in entry_file.causes]
            for text in texts:
                html = render_markdown(text)
                with self.subTest(entry=entry_file.code, start=text[:40]):
                    self.assertNotIn("```", html)
                    self.assertEqual(html.count('<div class="highlight">'), text.count("```") // 2)


class PageStyleTests(SimpleTestCase):
    def test_html_in_an_entry_cannot_borrow_the_sites_classes(self):
        html = render_markdown('<a href="https://evil.example/" class="problem">Update now</a> <p class="badge">x</p>')
        self.assertNotIn("problem", html)
        self.assertNotIn("badge", html)

    def test_highlighted_code_keeps_the_classes_its_styles_need(self):
        html = render_markdown("```console\n$ pip hash x\n```")
        self.assertIn('<div class="highlight">', html)
        self.assertIn('<span class="gp">', html)

    def test_ids_written_in_an_entry_are_dropped_so_they_cannot_take_a_page_id(self):
        html = render_markdown('<h2 id="id_fix-preview">Mine</h2>\n\n## Heading', anchor_prefix="fix")
        self.assertNotIn("id_fix-preview", html)
        self.assertIn('<h2 id="md-fix-heading">Heading</h2>', html)


class ReferenceLinkTests(SimpleTestCase):
    def test_peps_and_bare_addresses_in_prose_become_links_but_not_in_code(self):
        html = render_markdown(
            "Since PEP 668, see https://pip.pypa.io/en/stable/. `PEP 440` stays.\n\n```text\nPEP 8\n```\n"
        )
        self.assertIn('<a href="https://peps.python.org/pep-0668/" rel="nofollow noopener">PEP 668</a>', html)
        self.assertIn('<a href="https://pip.pypa.io/en/stable/" rel="nofollow noopener">', html)
        self.assertIn("<code>PEP 440</code>", html)
        self.assertNotIn("pep-0008", html)

    def test_a_link_the_editor_wrote_is_not_linked_twice(self):
        html = render_markdown("[PEP 517](https://peps.python.org/pep-0517/)")
        self.assertEqual(html.count("<a "), 1)
