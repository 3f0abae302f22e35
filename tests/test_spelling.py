from django.test import SimpleTestCase

from kb.spelling import Vocabulary

CATALOGUE = Vocabulary(
    [
        "HASH MISMATCH Downloaded file does not match the hash",
        "EXTERNALLY MANAGED ENVIRONMENT The environment is externally managed",
        "Requirement already satisfied",
    ]
)


class SpellingTests(SimpleTestCase):
    def test_a_letter_too_many_or_too_few_is_corrected(self):
        self.assertEqual(CATALOGUE.correct("missmatch"), "mismatch")
        self.assertEqual(CATALOGUE.correct("externaly"), "externally")
        self.assertEqual(CATALOGUE.correct("enviroment"), "environment")

    def test_a_changed_or_swapped_letter_is_corrected(self):
        self.assertEqual(CATALOGUE.correct("requirment"), "requirement")
        self.assertEqual(CATALOGUE.correct("mismacth"), "mismatch")
        self.assertEqual(CATALOGUE.correct("satisfued"), "satisfied")

    def test_known_short_and_distant_words_are_left_alone(self):
        self.assertIsNone(CATALOGUE.correct("mismatch"))
        self.assertIsNone(CATALOGUE.correct("hsah"))
        self.assertIsNone(CATALOGUE.correct("torchvision"))
