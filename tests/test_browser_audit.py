"""Every page in Chromium: nothing scrolls sideways on a phone or at 200% zoom (WCAG 1.4.10),
axe-core finds no violation in light or dark, and controls keep a 3:1 border.

axe-core comes inside axe-playwright-python (pinned), so nothing is fetched at test time.
Skipped with a notice where Chromium is not installed, like ``tests/test_browser.py``.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from kb.models import Category, Entry
from kb.staff import revisions
from kb.staff.models import SharedLog
from kb.staff.snapshots import snapshot_of
from tests import test_browser
from tests.test_staff_browser import race_on_the_title

browser = test_browser.browser
pytestmark = test_browser.pytestmark

LOGS = Path(__file__).resolve().parent / "logs"
# A phone, and a 1366 px wide desktop window zoomed to 200% (the same CSS width).
WIDTHS = {"phone": 390, "zoom 200%": 683}
PASSWORD = "a-good-password"

# The page is the same on either database; the slow accessibility sweep runs on SQLite only.
on_sqlite_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "sqlite").startswith("postgres"), reason="the same pages were audited on SQLite"
)


@pytest.fixture
def catalogue(transactional_db):
    call_command("load_catalogue", verbosity=0)
    User.objects.create_superuser("rita", password=PASSWORD)


def public_paths() -> list[str]:
    paths = ["/", "/diagnose/", "/diagnose/?example", "/search/?q=hash+mismatch", "/search/?q=nothing+like+this"]
    paths += ["/no/such-page/", "/api/"] + [category.get_absolute_url() for category in Category.objects.all()]
    return paths + [entry.get_absolute_url() for entry in Entry.objects.published().select_related("tool")]


def large_log() -> str:
    """About 600 KB of CI noise with real pip failures in it, from the captured logs."""
    failures = [(LOGS / name / "26.3.log").read_text() for name in ("HASH_MISMATCH", "PG_CONFIG_MISSING")]
    noise = "2024-05-01T12:00:00.0000000Z Collecting numpy==1.26.4 (from -r requirements.txt (line 3))\n" * 3000
    return noise + failures[0] + noise + failures[1]


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def diagnose(page, base_url: str, log: str) -> None:
    page.goto(f"{base_url}/diagnose/")
    page.locator("#id_log").evaluate("(textarea, log) => { textarea.value = log; }", log)
    page.click(".diagnose-form button[type=submit]")
    page.wait_for_selector("#summary-heading")


@on_sqlite_only
def test_no_public_page_scrolls_sideways_on_a_phone_or_at_200_percent_zoom(browser, live_server, catalogue):
    offenders = []
    for name, width in WIDTHS.items():
        page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
        for path in public_paths():
            page.goto(live_server.url + path)
            if overflow := sideways_overflow(page):
                offenders.append(f"{path} at {name}: {overflow} px too wide")
        diagnose(page, live_server.url, large_log())
        if overflow := sideways_overflow(page):
            offenders.append(f"diagnosis of a large log at {name}: {overflow} px too wide")
        page.context.close()
    assert offenders == []


# Only colours differ between the schemes, so the dark run checks the colour rules alone.
RULES = {
    "light": {"resultTypes": ["violations"]},
    "dark": {
        "resultTypes": ["violations"],
        "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
    },
}


def axe_violations(page, scheme: str = "light") -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=RULES[scheme]).response["violations"]
    return [f"{rule['id']} ×{len(rule['nodes'])}: {rule['nodes'][0]['target']}" for rule in results]


# Every entry page comes from one template; axe takes seconds a page, so it reads the entries
# whose content stretches that template most (long tables, source trails, Windows commands).
AXE_ENTRIES = ["HASH_MISMATCH", "EXTERNALLY_MANAGED_ENVIRONMENT", "MSVC_REQUIRED", "RESOLUTION_IMPOSSIBLE"]


@on_sqlite_only
def test_axe_finds_no_violation_on_the_public_pages_in_light_or_dark(browser, live_server, catalogue):
    paths = ["/", "/diagnose/", "/diagnose/?example", "/search/?q=hash+mismatch", "/search/?q=nothing+like+this"]
    paths += ["/no/such-page/", "/api/", "/category/hash-checking/"]
    paths += [f"/pip/{code.lower().replace('_', '-')}/" for code in AXE_ENTRIES]
    found = {}
    for scheme in ("light", "dark"):
        page = browser.new_context(color_scheme=scheme).new_page()
        for path in paths:
            page.goto(live_server.url + path)
            if violations := axe_violations(page, scheme):
                found[f"{path} ({scheme})"] = violations
        for name in diagnosis_pages(page, live_server.url):
            if violations := axe_violations(page, scheme):
                found[f"{name} ({scheme})"] = violations
        page.context.close()
    assert found == {}, "\n".join(f"{page}: {v}" for page, v in found.items())


def diagnosis_pages(page, base_url: str):
    """A diagnosis, its "Was this helpful?" answer, its link made, and the shared diagnosis:
    each one is on ``page`` when this yields its name."""
    diagnose(page, base_url, (LOGS / "HASH_MISMATCH" / "24.0.log").read_text())
    yield "diagnosis"
    diagnosis = page.url
    page.click(".share-diagnosis button[type=submit]")
    page.wait_for_selector("text=Open the shared diagnosis")
    yield "diagnosis link made"
    page.click("text=Open the shared diagnosis")
    page.wait_for_load_state()
    yield "shared diagnosis"
    page.goto(diagnosis)
    diagnose(page, base_url, (LOGS / "HASH_MISMATCH" / "24.0.log").read_text())
    page.locator(".helpful button").first.click()
    page.wait_for_load_state()
    yield "feedback answer"


def staff_paths() -> list[str]:
    """Every staff page, with a draft revision to compare and review and a shared log to triage."""
    entry = Entry.objects.get(code="HASH_MISMATCH")
    newest = entry.revisions.first()
    edited = snapshot_of(entry)
    edited["front"]["title"] = "A title an editor changed"
    edited["sections"]["meaning"] = "A meaning an editor rewrote.\n\n" + edited["sections"]["meaning"]
    draft = revisions.save_revision(entry, edited, User.objects.get(), newest.number if newest else 0, "Sharpen")
    shared = SharedLog.objects.create(text=(LOGS / "HASH_MISMATCH" / "24.0.log").read_text(), reason="unmatched")
    at = "/staff/entries/pip/HASH_MISMATCH/"
    paths = ["/staff/", f"{at}edit/", f"{at}history/", f"{at}compare/?old={draft.number - 1}&new={draft.number}"]
    paths += [f"{at}revisions/{draft.number}/review/", "/staff/logs/", f"/staff/logs/{shared.pk}/"]
    return paths + ["/staff/stats/", "/staff/audit/", "/staff/entries/new/", "/staff/releases/"]


@on_sqlite_only
def test_axe_finds_no_violation_on_the_staff_pages_in_light_or_dark(browser, live_server, catalogue):
    paths = staff_paths()
    found = {}
    for scheme in ("light", "dark"):
        page = browser.new_context(color_scheme=scheme).new_page()
        page.goto(f"{live_server.url}/staff/login/")
        if violations := axe_violations(page, scheme):
            found[f"login ({scheme})"] = violations
        log_in(page, live_server.url, "rita")
        for path in paths:
            if (status := page.goto(live_server.url + path).status) != 200:
                found[f"{path} ({scheme})"] = [f"HTTP {status}"]
            elif violations := axe_violations(page, scheme):
                found[f"{path} ({scheme})"] = violations
        page.context.close()
    assert found == {}, "\n".join(f"{page}: {v}" for page, v in found.items())


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")


def editor_answers(browser, base_url: str, scheme: str):
    """The editor's answers to a form: the tester's results, the error summary, the regression
    warnings, an edit conflict.
    Each one is on the yielded page when its name is yielded."""
    edit_url = f"{base_url}/staff/entries/pip/HASH_MISMATCH/edit/"
    first, second = (browser.new_context(color_scheme=scheme).new_page() for _ in range(2))
    log_in(first, base_url, "rita")
    log_in(second, base_url, "olga")
    first.goto(edit_url)
    first.fill("#id_sample_log", (LOGS / "HASH_MISMATCH" / "24.0.log").read_text())
    first.click("button[value=test]")
    first.wait_for_selector(".tester-results")
    yield "signature tester results", first
    first.goto(edit_url)
    first.check("#id_signatures-0-regex")
    first.fill("#id_signatures-0-pattern", "(unclosed")
    first.click("button[value=save]")
    first.wait_for_selector("#error-summary")
    yield "error summary", first
    first.goto(edit_url)
    first.check("#id_signatures-0-DELETE")
    first.check("#id_signatures-1-DELETE")
    first.click("button[value=save]")
    first.wait_for_selector("#regressions-heading")
    yield "regression warnings", first
    race_on_the_title(first, second, edit_url, f" in {scheme}")
    second.wait_for_selector("#conflict-heading")
    yield "edit conflict", second
    first.context.close()
    second.context.close()


@on_sqlite_only
def test_axe_finds_no_violation_in_the_editors_answers_in_light_or_dark(browser, live_server, catalogue):
    User.objects.create_superuser("olga", password=PASSWORD)
    found = {}
    for scheme in ("light", "dark"):
        for name, page in editor_answers(browser, live_server.url, scheme):
            if violations := axe_violations(page, scheme):
                found[f"{name} ({scheme})"] = violations
    assert found == {}, "\n".join(f"{page}: {v}" for page, v in found.items())


def test_text_fields_have_borders_with_3_to_1_contrast_in_light_and_dark(browser, live_server, catalogue):
    ratio = """(element) => {
        const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const luminance = (value) => {
            const [r, g, b] = rgb(value).map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const style = getComputedStyle(element);
        const [a, b] = [luminance(style.borderTopColor), luminance(getComputedStyle(document.body).backgroundColor)];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }"""
    for scheme in ("light", "dark"):
        page = browser.new_context(color_scheme=scheme).new_page()
        page.goto(f"{live_server.url}/diagnose/")
        assert page.locator("#id_log").evaluate(ratio) >= 3
        page.goto(f"{live_server.url}/search/")
        assert page.locator("#id_q").evaluate(ratio) >= 3
        page.context.close()
