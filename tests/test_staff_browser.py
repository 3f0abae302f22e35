"""The staff workflow in Debian's Chromium (Playwright): edit with live preview, review, publish, restore, race.

Skipped with a notice where Chromium is not installed, like ``tests/test_browser.py``.
"""

import pytest
from django.contrib.auth.models import User

from tests import test_browser
from tests.test_staff_revisions import make_editable_entry

# The same Chromium, launch flags, skip rule and markers as the public pages' browser tests.
browser = test_browser.browser
pytestmark = test_browser.pytestmark

PASSWORD = "a-good-password"


@pytest.fixture
def entry(transactional_db):
    # Superusers: the groups from the data migration do not survive transactional_db's flushes.
    for username in ("rita", "olga"):
        User.objects.create_superuser(username, password=PASSWORD)
    return make_editable_entry()


def logged_in_page(browser, live_server, username: str, **context):
    page = browser.new_context(**context).new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    return page


def test_an_editor_previews_saves_submits_publishes_and_restores(browser, live_server, entry):
    page = logged_in_page(browser, live_server, "rita")
    page.goto(live_server.url + entry.get_absolute_url())
    page.click("text=Edit this entry")
    page.wait_for_url("**/edit/")  # and its load event: typing before editor.js runs would not preview
    page.fill("#id_meaning", "A **sharper** meaning.")
    assert page.locator("#id_meaning-preview strong").inner_text(timeout=5000) == "sharper"
    page.fill("#id_message", "Sharpen the meaning")
    page.click("button[value=save]")
    assert "Saved revision 2 as a draft" in page.locator(".messages").inner_text()
    assert "The published meaning." in page.context.new_page().goto(live_server.url + entry.get_absolute_url()).text()
    page.click("#revision-2 >> text=Submit for review")
    reviewer = logged_in_page(browser, live_server, "olga")  # nobody publishes their own revision
    reviewer.goto(f"{live_server.url}/staff/entries/pip/HASH_MISMATCH/revisions/2/review/")
    assert "**sharper**" in reviewer.locator(".diff-field").inner_text()
    reviewer.click("text=Publish revision 2")
    public = page.context.new_page()
    public.goto(live_server.url + entry.get_absolute_url())
    assert "A sharper meaning." in public.locator("article").inner_text()
    page.click("#revision-1 >> text=Restore as a new draft")
    assert "Restored revision 1 as the new draft revision 3" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/staff/entries/pip/HASH_MISMATCH/edit/")
    assert page.locator("#id_meaning").input_value() == "The published meaning."


def test_of_two_editors_racing_on_one_entry_the_second_sees_the_conflict(browser, live_server, entry):
    edit_url = f"{live_server.url}/staff/entries/pip/HASH_MISMATCH/edit/"
    first, second = (logged_in_page(browser, live_server, name) for name in ("rita", "olga"))
    race_on_the_title(first, second, edit_url)
    assert "Revision 2 was saved while you were editing" in second.locator("#conflict-heading").inner_text()
    assert second.locator("#id_title").input_value() == "Olga's title"
    assert second.locator("#id_base").input_value() == "2"
    second.click("button[value=save]")
    assert "Saved revision 3" in second.locator(".messages").inner_text()


def relative_luminance(css_colour: str) -> float:
    """WCAG's relative luminance of an ``rgb(r, g, b)`` colour as getComputedStyle gives it."""
    channels = [int(part) / 255 for part in css_colour.removeprefix("rgb(").rstrip(")").split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_on_a_wide_dark_screen_the_preview_sits_beside_its_field_and_diffs_stay_dark(browser, live_server, entry):
    page = logged_in_page(browser, live_server, "rita", viewport={"width": 1440, "height": 900}, color_scheme="dark")
    page.goto(f"{live_server.url}/staff/entries/pip/HASH_MISMATCH/edit/")
    page.fill("#id_meaning", "A **sharper** meaning.")
    page.locator("#id_meaning-preview strong").wait_for(timeout=5000)
    field, preview = page.locator("#id_meaning").bounding_box(), page.locator("#id_meaning-preview").bounding_box()
    assert preview["x"] >= field["x"] + field["width"]
    assert abs(preview["y"] - field["y"]) < 2
    page.click("button[value=save]")
    page.goto(f"{live_server.url}/staff/entries/pip/HASH_MISMATCH/compare/?old=1&new=2")
    changes = page.locator(".diff_add, .diff_chg, .diff_sub").all()
    assert changes
    for changed in changes:
        background, text = changed.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        dark, light = sorted([relative_luminance(background), relative_luminance(text)])
        assert relative_luminance(background) < 0.1
        assert (light + 0.05) / (dark + 0.05) >= 4.5


def race_on_the_title(first, second, edit_url: str, ending: str = "") -> None:
    """Both editors open the entry, change its title, and save: the first, then the second.
    Each race needs its own `ending`: a save that changes nothing saves no revision."""
    first.goto(edit_url)
    second.goto(edit_url)
    first.fill("#id_title", f"Rita's title{ending}")
    second.fill("#id_title", f"Olga's title{ending}")
    first.click("button[value=save]")
    second.click("button[value=save]")
