// The recording behind a transcript: each timed turn's play button seeks the <audio>
// to that turn's start and plays. Buttons are delegated from #transcript, because the
// coding page re-renders its blocks (coding/render.js) whenever quotes change.

const audio = document.getElementById("recording");
const root = document.getElementById("transcript");

if (audio && root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button.turn-play");
    if (!button || !root.contains(button)) return;
    event.preventDefault();
    const start = Number(button.dataset.start);
    if (!Number.isFinite(start)) return;
    audio.currentTime = start;
    const playing = audio.play();
    // Autoplay rules or a missing file: the position is set, the controls still work.
    if (playing) playing.catch(() => {});
  });
}
