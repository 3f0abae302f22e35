"""pip's source lines on entry pages: the telling lines marked, long symbols cut down to them."""

from django.test import SimpleTestCase

from kb.source_listing import listing_html, shown_lines, telling_lines

HEADER = "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes."
CLASS = '''class HashMismatch(HashError):
    """Distribution file hash values don't match."""

    order = 4
    head = (
        "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS "
        "FILE. If you have updated the package versions, please update "
    )
''' + "".join(f"    def helper_{number}(self) -> None:\n        pass\n" for number in range(20))


class TellingLinesTests(SimpleTestCase):
    def test_each_literal_piece_of_a_split_message_tells(self):
        self.assertEqual(telling_lines(CLASS, [HEADER]), {6, 7})

    def test_a_raise_tells(self):
        self.assertEqual(telling_lines("def f():\n    x = 1\n    raise InstallationError(x)\n", []), {3})

    def test_the_text_around_a_format_field_tells_but_short_pieces_do_not(self):
        snippet = 'msg = f"Could not find a version that satisfies the requirement {req}"\nsep = ": "\n'
        quoted = ["ERROR: Could not find a version that satisfies the requirement torch"]
        self.assertEqual(telling_lines(snippet, quoted), {1})


class ListingTests(SimpleTestCase):
    def test_a_short_listing_is_shown_whole(self):
        self.assertEqual(shown_lines(10, {4}), list(range(1, 11)))

    def test_a_long_listing_keeps_its_first_line_and_the_telling_lines_with_context(self):
        self.assertEqual(shown_lines(48, {6, 7}), [1, 3, 4, 5, 6, 7, 8, 9, 10])

    def test_telling_lines_are_marked_with_the_files_line_numbers_and_left_out_lines_are_said(self):
        html = listing_html(CLASS, 160, {6, 7})
        self.assertIn('<span class="hll"><span class="linenos">165</span>', html)
        self.assertIn('<span class="linenos">160</span><span class="k">class</span>', html)
        self.assertIn('<span class="left-out">⋮ line 161 not shown</span>', html)
        self.assertIn('<span class="left-out">⋮ lines 170–207 not shown</span>', html)
        self.assertNotIn("helper_3", html)
