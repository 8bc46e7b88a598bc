"""The video library in the browser: import by link, add captions, watch processing finish,
review chapters, publish; bad links, bad caption files and bad uploads get clear messages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from chronos_app.pipeline import media
from tests.e2e.pages import Library, VideoEditor, log_in_as_new_creator

TOPICS = [
    "Linear regression fits a straight line through the data points by least squares.",
    "Residual plots show whether the errors of the line are random or follow a pattern.",
    "Regularisation with ridge and lasso penalties keeps the coefficients small.",
]


def _vtt(path, minutes: int = 4):  # noqa: ANN001
    lines, t, n = ["WEBVTT", ""], 0.0, 0
    while t + 5 <= minutes * 60:
        topic = TOPICS[min(int(t / (minutes * 20)), 2)]
        m, s = divmod(t, 60)
        m2, s2 = divmod(t + 4.5, 60)
        n += 1
        lines += [f"00:{int(m):02d}:{s:06.3f} --> 00:{int(m2):02d}:{s2:06.3f}",
                  f"{topic} Part {n}.", ""]
        t += 5
    path.write_text("\n".join(lines))
    return path


def test_import_add_captions_review_chapters_and_publish(page: Page, base_url: str,
                                                         tmp_path):
    log_in_as_new_creator(page, base_url)
    library = Library(page, base_url).open()
    expect(page.get_by_text("Your library is empty")).to_be_visible()

    # A link we cannot import says why, and nothing is added.
    library.import_link("https://example.com/my-video")
    expect(page.get_by_test_id("import-error")).to_contain_text(
        "Paste a link from YouTube, Loom, Vimeo, Wistia or Mux")
    expect(page.get_by_test_id("video-row")).to_have_count(0)

    library.import_link("https://vimeo.com/76979871?share=copy", "Regression basics")
    expect(library.row("Regression basics")).to_be_visible()
    expect(page.get_by_test_id("import-error")).to_have_count(0)
    # Vimeo gives no captions here: the video waits for a transcript, honestly labelled.
    library.expect_status("Regression basics", "needs_transcript")
    library.row("Regression basics").get_by_role("link", name="Add transcript").click()

    editor = VideoEditor(page)
    expect(page.get_by_test_id("video-heading")).to_have_text("Regression basics")
    expect(page.get_by_test_id("needs-transcript")).to_be_visible()

    # A broken caption file is refused with its reason; the video still waits.
    broken = tmp_path / "broken.vtt"
    broken.write_text("WEBVTT\n\nthis line is not a cue at all\n")
    editor.upload_captions(broken)
    expect(page.get_by_test_id("caption-error")).to_contain_text("broken.vtt")
    editor.expect_status("needs_transcript")

    editor.upload_captions(_vtt(tmp_path / "regression.vtt"))
    editor.expect_status("completed")
    expect(page.get_by_test_id("transcript")).to_contain_text("least squares")
    titles = editor.chapter_titles()
    expect(titles.first).to_be_visible()
    assert titles.count() >= 3  # a 4-minute video gets at least three chapters
    expect(page.get_by_test_id("chapter-start").first).to_have_value("0:00")

    # Fix the first title; a one-word title is refused with the rule explained.
    titles.first.fill("Intro")
    page.get_by_test_id("save-chapters").click()
    expect(page.get_by_test_id("chapter-problems")).to_contain_text("2–8 words")
    titles.first.fill("Welcome to regression")
    page.get_by_test_id("save-chapters").click()
    expect(page.get_by_text("Chapters saved.")).to_be_visible()
    expect(page.get_by_test_id("chapter-problems")).to_have_count(0)

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("published-badge")).to_be_visible()

    # Back in the library the video is ready and published, with its chapters counted.
    page.get_by_role("link", name="Video library").click()
    library.expect_status("Regression basics", "completed")
    row = library.row("Regression basics")
    expect(row.get_by_text("Published")).to_be_visible()
    expect(row.get_by_text(re.compile(r"\d+ chapters"))).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("video-row")).to_have_count(1)
    page.get_by_label("Search videos").fill("least squares")  # found by its transcript
    expect(library.row("Regression basics")).to_be_visible()
    page.get_by_label("Search videos").fill("no such words anywhere")
    expect(page.get_by_text("No videos match")).to_be_visible()


def test_uploads_are_checked_and_processed_with_live_progress(page: Page, base_url: str,
                                                              tmp_path):
    log_in_as_new_creator(page, base_url, tier="basic")
    library = Library(page, base_url).open()

    fake = tmp_path / "holiday.mp4"
    fake.write_text("this is a text file pretending to be a video")
    library.upload(fake)
    expect(page.get_by_test_id("form-error")).to_contain_text("does not contain MP4 video")
    expect(page.get_by_test_id("video-row")).to_have_count(0)

    clip = media.make_demo_video(tmp_path / "first-steps.mp4", seconds=8)
    library.upload(clip)
    expect(library.row("first steps")).to_be_visible()
    # No OpenAI key here, so no Whisper: the upload waits for captions with its length known.
    library.expect_status("first steps", "needs_transcript")
    expect(library.row("first steps")).to_contain_text("0:08")

    # Its page plays the file from the backend, which answers range requests.
    library.row("first steps").get_by_test_id("video-title").click()
    preview = page.get_by_test_id("upload-preview")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=upload-preview]').readyState >= 1")
    duration = preview.evaluate("v => v.duration")
    assert 7.5 < duration < 8.5
    src = preview.get_attribute("src")
    ranged = page.request.get(src, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and len(ranged.body()) == 100
