import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from kb.models import Entry
from kb.releases.coverage import EntryCoverage, code_for_class, codes_by_tier, coverage, user_visible_classes
from kb.releases.pipsource import DiagnosticReference, ReleaseIndex

SHIPPED_CODES = Path(settings.BASE_DIR) / "fixtures" / "codes.md"
SHARED_CODES = Path(settings.BASE_DIR).parent / "shared" / "codes.md"

CODES_MD = """# Error codes
## Tier 1: the most common
| code | severity |
|---|---|
| `HASH_MISMATCH` | error |
| `SUBPROCESS_EXITED_WITH_ERROR` | error |
## Tier 2: the rest
| code | severity |
|---|---|
| `UNKNOWN_COMMAND` | error |
"""


def release() -> ReleaseIndex:
    return ReleaseIndex(
        "26.3",
        exception_classes={
            "PipError",
            "DiagnosticPipError",
            "HashMismatch",
            "InstallationSubprocessError",
            "BadCommand",
        },
        class_bases={
            "DiagnosticPipError": {"PipError"},
            "HashMismatch": {"PipError"},
            "InstallationSubprocessError": {"DiagnosticPipError"},
            "BadCommand": {"PipError"},
        },
        diagnostics={
            "subprocess-exited-with-error": DiagnosticReference(
                "subprocess-exited-with-error", "InstallationSubprocessError", None
            ),
            "backend-unavailable": DiagnosticReference("backend-unavailable", "BackendUnavailable", None),
        },
    )


class CoverageTests(SimpleTestCase):
    def test_codes_are_read_by_tier_from_the_tables(self):
        self.assertEqual(
            codes_by_tier(CODES_MD), {1: ["HASH_MISMATCH", "SUBPROCESS_EXITED_WITH_ERROR"], 2: ["UNKNOWN_COMMAND"]}
        )

    def test_class_names_become_codes(self):
        self.assertEqual(code_for_class("HashMismatch"), "HASH_MISMATCH")
        self.assertEqual(code_for_class("SSLVerificationError"), "SSL_VERIFICATION_ERROR")

    def test_base_classes_are_not_errors_a_user_sees(self):
        self.assertEqual(user_visible_classes(release()), ["BadCommand", "HashMismatch", "InstallationSubprocessError"])

    def test_an_entry_covers_its_class_by_code_or_by_reference_and_the_rest_is_missing(self):
        entries = [
            EntryCoverage("HASH_MISMATCH", frozenset()),
            EntryCoverage("SUBPROCESS_EXITED_WITH_ERROR", frozenset()),
        ]
        report = coverage(entries, codes_by_tier(CODES_MD), release())
        self.assertEqual(report.missing_codes, {1: [], 2: ["UNKNOWN_COMMAND"]})
        self.assertEqual(report.missing_classes, ["BadCommand"])
        self.assertEqual(report.missing_references, ["backend-unavailable"])
        self.assertFalse(report.complete)

    def test_naming_a_class_as_a_symbol_covers_it(self):
        entries = [EntryCoverage("BAD_COMMAND_ENTRY", frozenset({"BadCommand"}))]
        self.assertNotIn("BadCommand", coverage(entries, {}, release()).missing_classes)


class CatalogueCoverageCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())

    def test_tier_1_is_complete_and_the_command_succeeds(self):
        out = io.StringIO()
        call_command("catalogue_coverage", "--tier", "1", stdout=out)
        self.assertIn("Tier 1: 57/57 codes have a published entry", out.getvalue())
        self.assertIn("Complete.", out.getvalue())

    def test_a_missing_code_makes_the_command_fail(self):
        Entry.objects.filter(code="ARCHIVE_PATH_TRAVERSAL").update(status=Entry.Status.DRAFT)
        out = io.StringIO()
        with pytest.raises(SystemExit) as exit_status:
            call_command("catalogue_coverage", "--tier", "2", stdout=out)
        self.assertEqual(exit_status.value.code, 1)
        self.assertIn("missing ARCHIVE_PATH_TRAVERSAL", out.getvalue())

    def test_a_tier_the_list_lacks_or_a_list_that_is_not_there_is_refused_with_a_sentence(self):
        codes = settings.BASE_DIR / "fixtures" / "codes.md"
        with self.assertRaisesMessage(CommandError, f"{codes} has no Tier 9; it has tiers [1, 2"):
            call_command("catalogue_coverage", "--tier", "9", stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "Cannot read /no/such/codes.md: No such file or directory"):
            call_command("catalogue_coverage", "--codes", "/no/such/codes.md", stdout=io.StringIO())


@pytest.mark.skipif(not SHARED_CODES.exists(), reason="no ../shared/codes.md beside this checkout")
def test_the_shipped_codes_list_has_every_code_of_the_shared_one():
    shared = codes_by_tier(SHARED_CODES.read_text())
    shipped = codes_by_tier(SHIPPED_CODES.read_text())
    for tier, codes in shared.items():
        assert set(codes) <= set(shipped.get(tier, [])), f"fixtures/codes.md lacks Tier {tier} codes"
