import time

from playwright.sync_api import Page, expect

from tests.e2e.pages import Library, VideoEditor, log_in_as_new_creator
from tests.e2e.test_library_e2e import _vtt


def test_shots(page: Page, base_url: str, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as_new_creator(page, base_url)
    lib = Library(page, base_url).open()
    page.screenshot(path="/tmp/shot-empty.png", full_page=True)
    lib.import_link("https://youtu.be/aircAruvnKk", "Neural networks intro")
    expect(lib.row("Neural networks intro")).to_be_visible()
    page.wait_for_timeout(500)
    lib.import_link("https://vimeo.com/76979871", "Regression basics")
    lib.expect_status("Regression basics", "needs_transcript")
    lib.row("Regression basics").get_by_role("link", name="Add transcript").click()
    ed = VideoEditor(page)
    ed.upload_captions(_vtt(tmp_path / "r.vtt", minutes=6))
    time.sleep(0.4)
    page.screenshot(path="/tmp/shot-progress.png", full_page=True)
    ed.expect_status("completed")
    page.screenshot(path="/tmp/shot-editor.png", full_page=True)
    page.get_by_role("link", name="Video library").click()
    lib.expect_status("Regression basics", "completed")
    page.screenshot(path="/tmp/shot-library.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/shot-library-phone.png", full_page=True)
