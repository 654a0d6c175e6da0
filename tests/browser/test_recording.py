"""The recording behind a transcript, in Chromium: a turn's play button seeks the audio."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interviews import recordings
from interviews.models import SpeakerTurn, Transcript
from tests.interviews.recording_files import wav_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def with_recording(transcript: Transcript, starts_ms: list[int | None]) -> Transcript:
    """Attach a short generated WAV and give the transcript's paragraphs these start times."""
    recordings.attach_recording(
        transcript=transcript,
        upload=SimpleUploadedFile("interview.wav", wav_bytes(4.0)),
        filename="interview.wav",
    )
    text = transcript.text
    SpeakerTurn.objects.filter(transcript=transcript).delete()
    position = 0
    for index, (started_at_ms, paragraph) in enumerate(
        zip(starts_ms, text.split("\n\n"), strict=True)
    ):
        start = text.index(paragraph, position)
        position = start + len(paragraph)
        SpeakerTurn.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=position,
            started_at_ms=started_at_ms,
            is_interviewer=paragraph.startswith("Interviewer"),
        )
    transcript.refresh_from_db()
    return transcript


def test_pressing_a_turns_play_button_seeks_the_audio(
    page, live_server, login, enabler, transcript, assert_accessible
):
    with_recording(transcript, [0, 2500, None])
    login(page, enabler)
    page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
    audio = page.locator("audio#recording")
    assert audio.get_attribute("controls") is not None
    page.wait_for_function("() => (document.getElementById('recording').readyState >= 1)")
    buttons = page.locator("#transcript button.turn-play")
    assert buttons.count() == 2  # the third turn has no time
    second = page.get_by_role("button", name="Play from 0:02")
    assert second.get_attribute("data-start") == "2.5"
    second.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (Math.abs(document.getElementById('recording').currentTime - 2.5) < 0.5)"
    )
    page.evaluate("document.getElementById('recording').pause()")
    page.get_by_role("button", name="Play from 0:00").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => (document.getElementById('recording').currentTime < 1)")
    # The buttons add no text: the transcript's text is still exactly the stored text.
    assert page.evaluate("document.getElementById('transcript').textContent") == transcript.text
    assert_accessible(page, context="coding page with a recording")
    assert page.page_errors == []


def test_the_review_page_offers_the_recording_upload(
    page, live_server, login, enabler, transcript, assert_accessible, tmp_path
):
    login(page, enabler)
    page.goto(f"{live_server.url}/p/{transcript.project.slug}/import/{transcript.pk}/review/")
    path = tmp_path / "interview.wav"
    path.write_bytes(wav_bytes(1.0))
    page.get_by_label("Recording file").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Attach recording").click()
    page.get_by_text("Recording attached (WAV, 0:01).").wait_for()
    assert_accessible(page, context="review page with a recording")


def test_the_transcription_keys_play_step_and_change_speed(
    page, live_server, login, enabler, transcript
):
    with_recording(transcript, [0, 2500, None])
    login(page, enabler)
    page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
    page.wait_for_function("() => (document.getElementById('recording').readyState >= 1)")
    audio = "document.getElementById('recording')"
    page.locator("#transcript").focus()  # the keys work while coding, not only on the player
    page.keyboard.press("Alt+Shift+F")
    page.wait_for_function(
        f"() => (Math.abs({audio}.currentTime - 5) < 0.01 || {audio}.currentTime > 3.9)"
    )
    page.keyboard.press("Alt+Shift+B")
    page.wait_for_function(f"() => ({audio}.currentTime < 0.1 && {audio}.currentTime >= 0)")
    page.keyboard.press("Alt+Shift+Period")
    assert page.evaluate(f"{audio}.playbackRate") == 1.25
    for _ in range(5):
        page.keyboard.press("Alt+Shift+Comma")
    assert page.evaluate(f"{audio}.playbackRate") == 0.5  # never below 0.5×
    page.get_by_role("status").filter(has_text="Speed 0.5×").wait_for(state="attached")
    page.keyboard.press("Alt+Shift+P")
    page.wait_for_function(f"() => (!{audio}.paused)")
    page.keyboard.press("Alt+Shift+P")
    page.wait_for_function(f"() => ({audio}.paused)")
    # Seeking into the second turn highlights it.
    page.evaluate(f"{audio}.currentTime = 3")
    expect_playing = "document.querySelector('#transcript .turn.playing')?.dataset.start"
    page.wait_for_function(f"() => ({expect_playing} === '2.5')")
    assert page.page_errors == []


def test_an_untimed_turn_takes_the_playback_position_and_keeps_it(
    page, live_server, login, enabler, transcript
):
    with_recording(transcript, [0, None, None])
    login(page, enabler)
    page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
    page.wait_for_function("() => (document.getElementById('recording').readyState >= 1)")
    assert page.locator('#transcript .turn[data-turn="2"] button.turn-play').count() == 0
    page.evaluate(
        """() => {
          const turn = document.querySelector('#transcript .turn[data-turn="2"]');
          const walker = document.createTreeWalker(turn, NodeFilter.SHOW_TEXT);
          document.getElementById('transcript').focus();
          window.getSelection().collapse(walker.nextNode(), 3);
          document.getElementById('recording').currentTime = 3;
        }"""
    )
    page.keyboard.press("Alt+Shift+S")
    page.locator('#transcript .turn[data-turn="2"] button.turn-play[data-start="3"]').wait_for()
    page.get_by_role("status").filter(has_text="This turn now starts at 0:03.").wait_for(
        state="attached"
    )
    turn = SpeakerTurn.objects.get(transcript=transcript, index=2)
    assert turn.started_at_ms == 3000
    page.reload()
    page.get_by_role("button", name="Play from 0:03").wait_for()
    assert page.page_errors == []
