"""Editors' Markdown: bounded, refused at save with the reason when it cannot render, never a 500 for readers."""

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings

from kb.catalogue import example_logs
from kb.markup import render_markdown
from kb.markup_check import WAIT_FACTOR, MarkdownRefused, render_checked, render_for_readers
from tests.helpers import make_entry
from tests.test_staff_editing import EditorTestCase

NESTED_LISTS = "1. " * 1000  # one line, a thousand nested ordered lists: RecursionError in Python-Markdown
BRACKETS = "[" * 19_000  # every "[" looks for its "]": minutes of work


def freeze_the_renderer(seconds: float) -> None:
    """Stop the render child as soon as it starts, for ``seconds``: what a machine whose CPUs
    are all busy does to it."""
    while not (children := multiprocessing.active_children()):
        time.sleep(0.001)
    os.kill(children[0].pid, signal.SIGSTOP)
    time.sleep(seconds)
    os.kill(children[0].pid, signal.SIGCONT)


class RenderCheckTests(SimpleTestCase):
    def test_an_ordinary_section_renders_as_the_renderer_renders_it(self):
        text = "### Regenerate the hashes\n\nRun `pip hash`."
        self.assertEqual(render_checked({"fix": text}), {"fix": (render_markdown(text, anchor_prefix="fix"), [])})

    def test_what_the_sanitiser_strips_is_named(self):
        text = 'Run <script>alert(1)</script> [this](javascript:alert(1)) <b onclick="steal()">now</b>.'
        html, removed = render_checked({"fix": text})["fix"]
        self.assertEqual(removed, ["<script>", "href=…", "onclick=…"])
        self.assertNotIn("onclick", html)

    def test_lists_nested_past_pythons_recursion_limit_are_refused_with_the_reason(self):
        with self.assertRaisesMessage(MarkdownRefused, "Its lists or quotes nest too deeply to render.") as caught:
            render_checked({"meaning": "Fine.", "fix": NESTED_LISTS})
        self.assertEqual(caught.exception.name, "fix")

    @override_settings(KB_MARKDOWN_RENDER_SECONDS=1)
    def test_text_that_renders_too_slowly_is_stopped_and_refused(self):
        started = time.monotonic()
        with self.assertRaisesMessage(MarkdownRefused, "It takes more than 1 s to render") as caught:
            render_checked({"background": BRACKETS})
        self.assertLess(time.monotonic() - started, 1 * WAIT_FACTOR + 5)
        self.assertEqual(caught.exception.name, "background")

    @override_settings(KB_MARKDOWN_RENDER_SECONDS=1)
    def test_time_spent_waiting_for_a_cpu_does_not_count_against_the_limit(self):
        text = "Run `pip hash` now.\n\n" * 1500  # 0.1 s of CPU
        frozen = threading.Thread(target=freeze_the_renderer, args=(2,))
        frozen.start()
        rendered = render_checked({"fix": text})
        frozen.join()
        self.assertEqual(rendered["fix"].html, render_markdown(text, anchor_prefix="fix"))

    def test_text_over_the_limit_is_refused_before_rendering(self):
        with self.assertRaisesMessage(MarkdownRefused, "It is 40,001 characters long; the limit is 40,000."):
            render_checked({"fix": "a" * 40_001})

    def test_a_published_section_that_fails_anyway_is_shown_as_plain_text(self):
        with self.assertLogs("kb.markup_check", "ERROR"):
            html = render_for_readers(NESTED_LISTS + "<b>bold</b>", anchor_prefix="fix")
        self.assertTrue(html.startswith('<pre class="markdown-fallback">1. 1. 1.'))
        self.assertTrue(html.endswith("1. &lt;b&gt;bold&lt;/b&gt;</pre>"))

    def test_thousands_of_equal_headings_get_distinct_ids(self):
        html = render_markdown("## a\n" * 3000 + "## a_1\n", anchor_prefix="fix")
        ids = [line.split('"')[1] for line in html.splitlines()]
        self.assertEqual(len(set(ids)), 3001)
        self.assertEqual(ids[-2:], ["md-fix-a_2999", "md-fix-a_1_1"])  # "a_1" as written does not take a used id


class EditorRefusalTests(EditorTestCase):
    def test_a_section_that_cannot_render_is_refused_at_save_with_the_reason(self):
        response = self.post(background=NESTED_LISTS)
        self.assertContains(response, "This text cannot be published: Its lists or quotes nest too deeply to render.")
        self.assertEqual(self.entry.revisions.count(), 0)

    def test_a_cause_that_cannot_render_is_refused_on_its_own_field(self):
        response = self.post(**{"causes-0-body": NESTED_LISTS})
        self.assertEqual(response.status_code, 200)
        self.assertIn("nest too deeply", str(response.context["editor"].causes.forms[0].errors["body"]))

    def test_a_section_over_the_limit_is_refused_at_save(self):
        response = self.post(fix="a" * 40_001)
        self.assertContains(response, "Ensure this value has at most 40000 characters (it has 40001).")
        self.assertEqual(self.entry.revisions.count(), 0)

    def test_the_live_preview_answers_with_the_reason_instead_of_a_500(self):
        response = self.client.post("/staff/preview/", {"text": NESTED_LISTS})
        self.assertEqual(response.status_code, 400)
        self.assertIn("nest too deeply", response.json()["error"])

    def test_the_live_preview_refuses_text_over_the_limit(self):
        response = self.client.post("/staff/preview/", {"text": "a" * 40_001})
        self.assertEqual(
            response.json(), {"error": "That text is too long to preview: the limit is 40,000 characters."}
        )


class ReaderFallbackTests(TestCase):
    def test_a_published_entry_whose_markdown_fails_is_still_served(self):
        entry = make_entry("HASH_MISMATCH", meaning="Still *readable*.", background=NESTED_LISTS)
        with self.assertLogs("kb.markup_check", "ERROR"):
            response = self.client.get(entry.get_absolute_url())
        self.assertContains(response, "Still <em>readable</em>.")
        self.assertContains(response, '<pre class="markdown-fallback">1. 1. 1.')


class ExampleLogTests(SimpleTestCase):
    def test_text_blocks_with_either_fence_are_examples_and_other_languages_are_not(self):
        markdown = "```text\nERROR: one\n```\n\n```console\n$ pip x\n```\n\n~~~text\nERROR: two\n```\nstill two\n~~~\n"
        self.assertEqual(example_logs(markdown), ["ERROR: one\n", "ERROR: two\n```\nstill two\n"])

    def test_an_unclosed_block_runs_to_the_end_and_is_no_example(self):
        self.assertEqual(example_logs("```text\nERROR: x\n" + "line\n" * 10 + "~~~text\nERROR: y\n~~~\n"), [])

    def test_a_closing_fence_may_carry_trailing_spaces_but_nothing_else(self):
        self.assertEqual(example_logs("```text \nA\n```python\nB\n``` \t\n"), ["A\n```python\nB\n"])


class PageIdTests(SimpleTestCase):
    def test_no_template_uses_an_id_that_entry_headings_are_given(self):
        templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
        clashing = [path.name for path in templates if 'id="md-' in path.read_text()]
        self.assertEqual(clashing, [])
