"""End-to-end tests in Debian's Chromium, driven by Playwright (no browser is downloaded).

Skipped with a notice where Chromium is not installed (``apt-get install -y chromium``).
"""

import os
import shutil
from pathlib import Path

import pytest

from kb.staff.models import SharedLog
from tests.helpers import make_entry, make_signature

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HASH_LOG = """\
Collecting sympy==1.12 (from -r requirements.txt (line 3))
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    sympy==1.12 from https://www.piwheels.org/simple/sympy/sympy-1.12-py3-none-any.whl:
        Expected sha256 1620aeb2b1e9a6b8a8ec0fd8bbd3cbdc1d0f1e2a84d1e5d2c3b4a59687766554
             Got        924b2a1e6f3c9d8e7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"),
]
# Playwright's sync API runs an event loop in this thread; the tests' ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def hash_entry(transactional_db):
    entry = make_entry("HASH_MISMATCH", title="Downloaded file does not match the pinned hash")
    make_signature(entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
    return entry


def test_pasting_a_log_shows_the_root_cause_card_and_the_highlighted_line(page, live_server, hash_entry):
    page.goto(f"{live_server.url}/diagnose/")
    page.fill("#id_log", HASH_LOG)
    page.click("button[type=submit]")
    card = page.locator("#match-1")
    assert "HASH_MISMATCH" in card.inner_text()
    assert "Root cause:" in page.locator(".summary-line").inner_text()
    highlighted = page.locator(".log-line.matched").first
    assert highlighted.get_attribute("id") == "L2"
    card.locator("a[href='#L2']").click()
    assert page.evaluate("location.hash") == "#L2"


def test_uploading_a_log_file_gives_the_same_diagnosis(page, live_server, hash_entry, tmp_path):
    log_file = tmp_path / "ci-job.log"
    log_file.write_text(HASH_LOG)
    page.goto(f"{live_server.url}/diagnose/")
    page.set_input_files("#id_upload", str(log_file))
    page.click("button[type=submit]")
    assert "HASH_MISMATCH" in page.locator("#match-1").inner_text()


def test_a_file_chosen_over_a_paste_is_announced_before_and_after_diagnosing(page, live_server, hash_entry, tmp_path):
    log_file = tmp_path / "ci-job.log"
    log_file.write_text(HASH_LOG)
    page.goto(f"{live_server.url}/diagnose/")
    page.fill("#id_log", "my other log")
    page.set_input_files("#id_upload", str(log_file))
    assert "The file is read instead of the pasted text" in page.inner_text("#drop-status")
    page.click("button[type=submit]")
    assert "this is the diagnosis of the file, ci-job.log" in page.inner_text(".diagnosis")
    assert page.input_value("#id_log") == "my other log"


def test_a_paste_beside_a_file_over_the_limit_is_back_in_the_form_after_the_refusal(
    page, live_server, settings, tmp_path
):
    settings.KB_MAX_LOG_BYTES = 1000
    big = tmp_path / "big.log"
    big.write_text("x" * 5000)
    pasted = "Looking in indexes: https://deploy:s3cretPassw0rd@pypi.internal/simple\nERROR: No matching distribution"
    page.goto(f"{live_server.url}/diagnose/")
    page.fill("#id_log", pasted)
    page.set_input_files("#id_upload", str(big))
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click(".diagnose-form button[type=submit]")
    assert posted.value.status == 413
    assert "s3cretPassw0rd" not in posted.value.text()
    assert "the limit is 1,000 bytes" in page.inner_text(".problem")
    assert page.input_value("#id_log") == pasted


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, live_server, hash_entry):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_sharing_an_unmatched_log_sends_the_redacted_text_once(page, live_server, hash_entry):
    page.goto(f"{live_server.url}/diagnose/")
    page.fill("#id_log", "ERROR: nobody knows this one\nLooking in indexes: https://me:hunter2@example.org/simple\n")
    page.click(".diagnose-form button[type=submit]")
    assert page.locator("textarea[name=log]").count() == 1
    page.fill("#share-unmatched-note", "seen on our CI")
    page.click("button:has-text('Share this log with support')")
    shared = SharedLog.objects.get()
    assert "nobody knows this one" in shared.text
    assert "hunter2" not in shared.text
    assert shared.note == "seen on our CI"


@pytest.fixture
def entry_with_commands(transactional_db):
    fix = """Make a virtual environment:

```console
$ python3 -m venv .venv
(.venv) $ python -m pip install <package>
(.venv) $ python -m pip --version
pip 26.3 from /home/user/.venv/lib/python3.12/site-packages/pip (python 3.12)
```

On Windows:

```console
> py -m pip install --only-binary :all: <package>
PS> Get-ChildItem '<path>'
```
"""
    return make_entry("EXTERNALLY_MANAGED_ENVIRONMENT", fix=fix, quick_fix="python3 -m venv .venv")


def copied_text(page, button) -> str:
    button.click()
    page.wait_for_function("document.querySelector('[role=status].visually-hidden').textContent !== ''")
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_buttons_copy_only_the_commands_and_sit_beside_the_code(browser, live_server, entry_with_commands):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + entry_with_commands.get_absolute_url())
    buttons = page.locator("#how-to-fix-it .copy-button")
    assert buttons.count() == 2
    assert buttons.first.get_attribute("aria-label") == "Copy command: python3 -m venv .venv"
    assert copied_text(page, buttons.first) == (
        "python3 -m venv .venv\npython -m pip install <package>\npython -m pip --version"
    )
    assert (
        copied_text(page, buttons.nth(1)) == "py -m pip install --only-binary :all: <package>\nGet-ChildItem '<path>'"
    )
    button_box = buttons.first.bounding_box()
    code_box = page.locator("#how-to-fix-it pre").first.bounding_box()
    assert button_box["y"] + button_box["height"] <= code_box["y"]
    context.close()


def test_the_result_takes_focus_and_the_root_cause_and_its_fix_are_above_the_fold(browser, live_server, hash_entry):
    hash_entry.quick_fix = "python -m pip install --no-cache-dir {package}=={version}"
    hash_entry.save()
    for width, height in ((1366, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{live_server.url}/diagnose/")
        page.fill("#id_log", HASH_LOG)
        page.locator("#id_log").press("Control+Enter")
        page.wait_for_selector("#match-1")
        assert page.evaluate("document.activeElement.id") == "summary-heading"
        fix = page.locator("#match-1 pre.copyable")
        assert fix.inner_text() == "python -m pip install --no-cache-dir sympy==1.12"
        assert fix.bounding_box()["y"] + fix.bounding_box()["height"] <= height, f"below the fold at {width} px"
        assert page.locator(".summary-line").bounding_box()["y"] >= 0
        context.close()


def test_without_javascript_the_result_takes_focus_and_hidden_lines_unfold(browser, live_server, hash_entry):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/diagnose/")
    noise = "".join(f"Collecting package-{number}==1.0\n" for number in range(500))
    page.fill("#id_log", noise + HASH_LOG)
    page.click(".diagnose-form button[type=submit]")
    page.wait_for_selector("#match-1")
    assert page.evaluate("document.activeElement.id") == "summary-heading"
    assert not page.locator("#L100").is_visible()
    page.click("details.hidden-lines summary")
    assert page.locator("#L100").inner_text().endswith("Collecting package-99==1.0")
    context.close()


def test_log_line_numbers_are_link_targets_but_not_tab_stops(page, live_server, hash_entry):
    page.goto(f"{live_server.url}/diagnose/")
    page.fill("#id_log", HASH_LOG)
    page.click(".diagnose-form button[type=submit]")
    page.wait_for_selector("#match-1")
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.className"))
    assert "line-number" not in visited
    assert page.locator("a.line-number[href='#L2']").count() == 1


def test_a_large_log_is_not_sent_back_but_the_browser_keeps_it_for_the_next_try(page, live_server, hash_entry):
    log = "Collecting numpy==1.26.4 (from -r requirements.txt (line 3))\n" * 2000 + HASH_LOG
    page.goto(f"{live_server.url}/diagnose/")
    page.locator("#id_log").evaluate("(textarea, log) => { textarea.value = log; }", log)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.click(".diagnose-form button[type=submit]")
    assert len(posted.value.body()) < 60_000
    assert "is not sent back to you whole" in page.inner_text("#log-not-repeated")
    assert page.input_value("#id_log") == log
