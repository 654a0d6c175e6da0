// The recording behind a transcript. Each timed turn's play button seeks the <audio> to
// that turn's start and plays; while it plays, the turn being spoken is highlighted and
// kept in view; and the transcription keys (Alt+Shift+P/B/F/,/.) work anywhere on the
// page. Buttons are delegated from #transcript, because the coding page re-renders its
// blocks (coding/render.js) whenever quotes change.

const audio = document.getElementById("recording");
const root = document.getElementById("transcript");
const status = document.getElementById("recording-status");
const data = JSON.parse(document.getElementById("coding-data").textContent).recording || {};
const setStartButton = document.getElementById("recording-set-start");
const STEP_S = 5;
const RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];

function say(message) {
  if (status) status.textContent = message;
}

function play() {
  const playing = audio.play();
  // Autoplay rules or a missing file: the position is set, the controls still work.
  if (playing) playing.catch(() => say("The recording could not start: use its controls."));
}

function seek(seconds) {
  const end = Number.isFinite(audio.duration) ? audio.duration : Infinity;
  audio.currentTime = Math.min(Math.max(0, seconds), end);
}

function setRate(step) {
  const at = RATES.indexOf(audio.playbackRate);
  const next = RATES[Math.min(RATES.length - 1, Math.max(0, (at < 0 ? 2 : at) + step))];
  audio.playbackRate = next;
  say(`Speed ${next}×`);
}

function csrfToken() {
  // The CSRF cookie is HttpOnly: the token comes from the page's form (as coding.js).
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// The turn holding the caret (or the selection's end) in #transcript.
function caretTurn() {
  const node = window.getSelection().focusNode;
  if (!node || !root.contains(node)) return null;
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element.closest(".turn[data-turn]");
}

async function setTurnStart() {
  if (!data.may_time) return;
  const turn = caretTurn();
  if (!turn) {
    say("Put the caret in a turn of the transcript first.");
    return;
  }
  const ms = Math.round(audio.currentTime * 1000);
  const response = await fetch(`${data.turn_base}${Number(turn.dataset.turn)}/start/`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ ms }),
  }).catch(() => null);
  const answer = response ? await response.json().catch(() => ({})) : {};
  if (!response || !response.ok) {
    say(answer.error || "The turn's time was not saved: check your connection.");
    return;
  }
  root.dispatchEvent(new CustomEvent("recording:turn-timed", { detail: { turn: answer.turn, ms: answer.ms } }));
  say(`This turn now starts at ${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, "0")}.`);
}

const KEYS = {
  KeyS: setTurnStart,
  KeyP: () => (audio.paused ? play() : audio.pause()),
  KeyB: () => seek(audio.currentTime - STEP_S),
  KeyF: () => seek(audio.currentTime + STEP_S),
  Comma: () => setRate(-1),
  Period: () => setRate(1),
};

let current = null;

function highlight() {
  let found = null;
  for (const turn of root.querySelectorAll(".turn[data-start]")) {
    if (Number(turn.dataset.start) <= audio.currentTime + 0.05) found = turn;
    else break;
  }
  if (found === current && (!found || found.classList.contains("playing"))) return;
  if (current) current.classList.remove("playing");
  current = found;
  if (!found) return;
  found.classList.add("playing");
  if (!audio.paused) found.scrollIntoView({ block: "nearest" });
}

if (audio && root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button.turn-play");
    if (!button || !root.contains(button)) return;
    event.preventDefault();
    const start = Number(button.dataset.start);
    if (!Number.isFinite(start)) return;
    seek(start);
    play();
  });
  document.addEventListener("keydown", (event) => {
    const action = event.altKey && event.shiftKey && !event.ctrlKey && KEYS[event.code];
    if (!action) return;
    event.preventDefault();
    action();
  });
  if (setStartButton) setStartButton.addEventListener("click", setTurnStart);
  audio.addEventListener("timeupdate", highlight);
  audio.addEventListener("seeked", highlight);
}
