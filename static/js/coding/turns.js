// Selections that respect speakers: a quote lies inside one speaker turn and never
// holds a speaker label (the server refuses anything else with a 400). A selection
// across turns is cut into its parts here, and the coder chooses: one quote per
// participant turn (the default; interviewer turns only when ticked), or the
// selection shortened to one turn.

// The parts of [start, end) (UTF-16) inside each turn block, clipped to its words.
// `blocks` are the page's blocks: {start, end, kind, speaker, interviewer}.
export function turnParts(blocks, start, end) {
  return blocks
    .filter((block) => block.kind === "turn" && block.start < end && start < block.end)
    .map((block) => ({
      start: Math.max(start, block.start),
      end: Math.min(end, block.end),
      speaker: block.speaker || "Unnamed speaker",
      interviewer: Boolean(block.interviewer),
    }));
}

// The turn a shortened selection keeps: the participant part with the most selected
// text (the first on a tie), or the longest part when all are the interviewer's.
export function longestPart(parts) {
  const pool = parts.some((part) => !part.interviewer) ? parts.filter((part) => !part.interviewer) : parts;
  return pool.reduce((best, part) => (part.end - part.start > best.end - best.start ? part : best));
}

// What one coding gesture saves for a selection: a list of spans, or a refusal
// message ({refused}), or a choice to make ({choose: parts}).
export function planSpans(blocks, span, { multiTurn = false } = {}) {
  if (!blocks.some((block) => block.kind === "turn")) return { spans: [span] };
  const parts = turnParts(blocks, span.start, span.end);
  if (!parts.length) return { refused: "Select a speaker's words: a speaker label alone is not a quote." };
  if (parts.length === 1) return { spans: [{ start: parts[0].start, end: parts[0].end }] };
  if (multiTurn) return { spans: [{ start: parts[0].start, end: parts[parts.length - 1].end }] };
  return { choose: parts };
}

// The cross-turn dialog: resolves with the spans to save, or null (cancelled).
export class TurnChooser {
  constructor({ dialog, excerpt }) {
    this.dialog = dialog;
    this.excerpt = excerpt;
    this.list = dialog.querySelector("#td-parts");
    this.interviewer = dialog.querySelector("#td-interviewer");
    this.interviewerBox = dialog.querySelector("#td-interviewer-box");
    this.split = dialog.querySelector("#td-split");
    this.shorten = dialog.querySelector("#td-shorten");
    this.cancel = dialog.querySelector("#td-cancel");
    this.resolve = null;
    this.parts = [];
    this.split.addEventListener("click", () => this.finish(this.chosen()));
    this.shorten.addEventListener("click", () => {
      const part = longestPart(this.parts);
      this.finish([{ start: part.start, end: part.end }]);
    });
    this.cancel.addEventListener("click", () => this.finish(null));
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.finish(null);
    });
    this.interviewer.addEventListener("change", () => this.label());
  }

  chosen() {
    const keep = this.interviewer.checked ? this.parts : this.parts.filter((part) => !part.interviewer);
    return keep.map((part) => ({ start: part.start, end: part.end }));
  }

  label() {
    const count = this.chosen().length;
    this.split.textContent = `Save ${count} quote${count === 1 ? "" : "s"}, one per ${this.interviewer.checked ? "" : "participant "}turn`;
    this.split.disabled = count === 0;
  }

  choose(parts) {
    this.parts = parts;
    this.interviewer.checked = parts.every((part) => part.interviewer);
    this.interviewerBox.hidden = !parts.some((part) => part.interviewer) || parts.every((part) => part.interviewer);
    this.list.replaceChildren(
      ...parts.map((part) => {
        const li = document.createElement("li");
        const who = document.createElement("strong");
        who.textContent = `${part.speaker}: `;
        li.append(who, this.excerpt(part));
        if (part.interviewer) li.className = "interviewer";
        return li;
      }),
    );
    const keep = longestPart(parts);
    this.shorten.textContent = `Shorten to ${keep.speaker}'s turn`;
    this.label();
    this.dialog.showModal();
    this.split.focus();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  finish(spans) {
    if (this.dialog.open) this.dialog.close();
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve(spans);
  }
}
