// Undo and redo of every coding action made while the page is open.
//
// An action is recorded as the quotes' states before and after it; its undo and redo
// are the steps between them (delete/restore, a theme added or removed, the memo or
// the span set), each a server write (POST quotes/<id>/undo/) that carries the quote's
// `updated` time after this page's own last change to it: if anyone changed the
// quote since, the server refuses (409) and the change stands.

// The steps that turn quote state `from` into state `to` (either may be null: none).
export function stepsBetween(from, to) {
  const live = (quote) => Boolean(quote) && !quote.deleted;
  if (!live(from) && live(to)) return [{ step: "restore" }];
  if (live(from) && !live(to)) return [{ step: "delete" }];
  if (!live(from) || !live(to)) return [];
  const steps = [];
  for (const theme of to.themes) if (!from.themes.includes(theme)) steps.push({ step: "add_theme", theme });
  if (from.start !== to.start || from.end !== to.end) steps.push({ step: "span", start: to.start, end: to.end });
  if (from.memo !== to.memo) steps.push({ step: "memo", memo: to.memo });
  // Removals last: a quote keeps at least one theme on the way.
  for (const theme of from.themes) if (!to.themes.includes(theme)) steps.push({ step: "remove_theme", theme });
  return steps;
}

const snapshot = (quote) =>
  quote && {
    id: quote.id,
    deleted: Boolean(quote.deleted),
    themes: [...quote.themes],
    memo: quote.memo,
    start: quote.start,
    end: quote.end,
  };

export class History {
  // send(quoteId, body) -> the saved quote; onChange() after every change of the stacks.
  constructor({ send, onChange = () => {} }) {
    this.send = send;
    this.onChange = onChange;
    this.done = [];
    this.undone = [];
    this.mine = new Map(); // quote id -> its `updated` after this page's last change
    this.busy = false;
  }

  // The page wrote `after` (the server's answer): remember it as this page's change.
  wrote(quote) {
    if (quote) this.mine.set(quote.id, quote.updated);
  }

  // Did someone else change this quote since this page last did?
  changedElsewhere(quote) {
    return this.mine.has(quote.id) && this.mine.get(quote.id) !== quote.updated;
  }

  // One action: a label ("coding with Blame culture") and [before, after] per quote.
  record(label, changes) {
    const parts = changes
      .map(([before, after]) => ({ id: after.id, before: snapshot(before), after: snapshot(after) }))
      .filter((part) => stepsBetween(part.before, part.after).length);
    for (const [, after] of changes) this.wrote(after);
    if (!parts.length) return;
    this.done.push({ label, parts });
    this.undone = [];
    this.onChange();
  }

  get undoLabel() {
    return this.done.length ? this.done[this.done.length - 1].label : "";
  }

  get redoLabel() {
    return this.undone.length ? this.undone[this.undone.length - 1].label : "";
  }

  async undo() {
    return this.move(this.done, this.undone, "before", "after");
  }

  async redo() {
    return this.move(this.undone, this.done, "after", "before");
  }

  // Take the top action of `from`, walk each quote from state `away` to state `toward`,
  // and put it on `to`. Answers {label, quotes} or throws the server's refusal (the
  // action is then dropped: it can no longer be undone over someone's change).
  async move(from, to, toward, away) {
    if (this.busy || !from.length) return null;
    this.busy = true;
    const action = from.pop();
    const saved = [];
    try {
      for (const part of [...action.parts].reverse()) {
        for (const step of stepsBetween(part[away], part[toward])) {
          const quote = await this.send(part.id, { ...step, expected_updated_at: this.mine.get(part.id) });
          this.wrote(quote);
          saved.push(quote);
        }
      }
      to.push(action);
      return { label: action.label, quotes: saved };
    } catch (error) {
      error.quotes = saved;
      throw error;
    } finally {
      this.busy = false;
      this.onChange();
    }
  }
}
