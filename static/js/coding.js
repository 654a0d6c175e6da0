// The coding page: select a passage (mouse or keyboard), tag it with themes, edit,
// delete and undo. Reads its data from the json_script block "coding-data"; builds
// every node with createElement/textContent. Offsets sent to the server are code
// points (see coding/offsets.js).

import { Codebook } from "./coding/codebook.js";
import { ThemePicker } from "./coding/combobox.js";
import { jumpToPlace } from "./coding/jump.js";
import { startLive } from "./coding/live.js";
import { selectionUtf16, TextIndex, utf16ToDom } from "./coding/offsets.js";
import {
  drawBlockStripes,
  renderBlockInPlace,
  renderPanel,
  renderTranscript,
  stripeColumns,
} from "./coding/render.js";
import { forgetDraft, restoreDraft } from "./idle.js";
import { ThemeSuggestions } from "./coding/suggest.js";
import { planSpans, TurnChooser } from "./coding/turns.js";
import { History } from "./coding/history.js";
import { StripeKeys } from "./coding/stripe_keys.js";

const started = performance.now();
const data = JSON.parse(document.getElementById("coding-data").textContent);
const root = document.getElementById("transcript");
const wrap = document.getElementById("transcript-wrap");
const panel = document.getElementById("quote-panel");
const toast = document.getElementById("toast");
const text = root.textContent; // exactly the transcript text
const index = new TextIndex(text);
const stats = { marks: 0, wireMs: 0, stripesMs: 0, renders: 0, renderMs: 0 };
window.__coding = stats;

const themes = new Map();
let themeOrder = [];
function setThemes(list) {
  themes.clear();
  for (const theme of list) themes.set(theme.id, theme);
  themeOrder = list.map((theme) => theme.id);
}
setThemes(data.themes);
const quotes = new Map(data.quotes.map((quote) => [quote.id, quote]));
let since = data.now;
let pendingRefresh = false;

const blocks = data.turns.map(([start, end, speaker, kind, interviewer, startedAtMs, turn]) => ({
  start: index.toUtf16(start),
  end: index.toUtf16(end),
  speaker,
  kind,
  interviewer,
  startedAtMs,
  turn,
}));
// recording.js gave a turn its start time: keep it through every re-render.
root.addEventListener("recording:turn-timed", (event) => {
  for (const block of blocks) if (block.turn === event.detail.turn) block.startedAtMs = event.detail.ms;
  refresh();
});

const turnsDialog = document.getElementById("turns-dialog");
const turnChooser = new TurnChooser({
  dialog: turnsDialog,
  excerpt: (part) => {
    const words = text.slice(part.start, part.end).replace(/\s+/g, " ");
    return words.length > 90 ? `“${words.slice(0, 89)}…”` : `“${words}”`;
  },
});

const quoteText = (quote) => quote.text ?? index.slice(quote.start, quote.end);
const quoteUrl = (id, action = "") => `${data.urls.quote_base}${id}/${action}`;

function shown(quote) {
  const filters = data.filters;
  if (filters.theme && !quote.themes.includes(filters.theme)) return false;
  if (filters.coder && quote.coder.id !== filters.coder) return false;
  if (filters.mine && quote.coder.id !== data.user.id) return false;
  return true;
}

function shownQuotes() {
  return [...quotes.values()].filter(shown).sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
}

// After an edit inside one block (the common case: a quote lies inside one turn), only
// that block is rebuilt and its stripes drawn; the side panel and the codebook's counts
// follow a moment later. Anything wider (a new stripe column, a quote across blocks)
// falls back to refresh(). `spans`: the changed quotes' [start, end) in code points.
function refreshAround(spans) {
  const list = shownQuotes();
  const columns = stripeColumns(list, themeOrder);
  const same =
    stripeState &&
    columns.size === stripeState.columns.size &&
    [...columns].every(([id, n]) => stripeState.columns.get(id) === n);
  const elements = root.querySelectorAll(":scope > .turn, :scope > .para");
  const touched = new Set();
  for (const span of spans) {
    const start = index.toUtf16(span.start);
    const end = index.toUtf16(span.end);
    const at = blocks.findIndex((block) => block.start <= start && end <= block.end);
    if (at < 0) return refresh();
    touched.add(at);
  }
  if (!same || elements.length !== blocks.length || !touched.size) return refresh();
  const mapped = list.map((q) => ({
    id: q.id,
    start: index.toUtf16(q.start),
    end: index.toUtf16(q.end),
    themes: q.themes.filter((id) => themes.has(id)),
  }));
  const fresh = [];
  for (const at of touched) {
    const block = blocks[at];
    const near = mapped.filter((q) => q.start < block.end && block.start < q.end);
    if (near.some((q) => q.start < block.start || q.end > block.end)) return refresh();
    fresh.push(renderBlockInPlace(elements[at], block, { text, quotes: near, themes }));
  }
  stripeState = { quotes: new Map(list.map((q) => [q.id, q])), themes, columns };
  for (const element of fresh) if (element) drawBlockStripes(element, stripeState);
  stripeKeys.ensureStop();
  hideTip();
  stats.renders += 1;
  setTimeout(() => {
    renderPanel(panel, { quotes: list, themes, themeOrder, coderName: (q) => q.coder.name, quoteText });
    updateCodebook();
    updateCount(list);
  }, 0);
  return null;
}

function updateCount(list) {
  const count = document.getElementById("quote-count");
  if (!count) return;
  const all = quotes.size;
  const filtered = data.filters.theme || data.filters.coder || data.filters.mine;
  count.textContent = `${all} quote${all === 1 ? "" : "s"}${filtered ? `, ${list.length} shown` : ""}`;
}

function refresh() {
  const t0 = performance.now();
  const list = shownQuotes();
  renderTranscript(root, {
    text,
    blocks,
    themes,
    quotes: list.map((q) => ({
      id: q.id,
      start: index.toUtf16(q.start),
      end: index.toUtf16(q.end),
      themes: q.themes.filter((id) => themes.has(id)),
    })),
  });
  renderPanel(panel, {
    quotes: list,
    themes,
    themeOrder,
    coderName: (q) => q.coder.name,
    quoteText,
  });
  updateCodebook();
  updateCount(list);
  hideTip();
  stats.renders += 1;
  stats.renderMs = performance.now() - t0;
  watchBlocks();
}

// --- margin stripes: drawn for each block as it nears the viewport --------------------

let stripeState = null;
const blockWatcher = new IntersectionObserver(
  (entries) => {
    const t0 = performance.now();
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      blockWatcher.unobserve(entry.target);
      drawBlockStripes(entry.target, stripeState);
    }
    stripeKeys.ensureStop();
    stats.stripesMs += performance.now() - t0;
  },
  { rootMargin: "600px 0px" },
);

function watchBlocks() {
  const list = shownQuotes();
  stripeState = {
    quotes: new Map(list.map((q) => [q.id, q])),
    themes,
    columns: stripeColumns(list, themeOrder),
  };
  root.style.setProperty("--stripe-columns", String(stripeState.columns.size));
  blockWatcher.disconnect();
  for (const block of root.children) {
    if (block.firstElementChild && block.firstElementChild.classList.contains("turn-stripes")) {
      blockWatcher.observe(block);
    }
  }
}

// Blocks within the viewport (and its margin), found without laying out the others.
function visibleBlocks() {
  const low = -600;
  const high = window.innerHeight + 600;
  return [...root.children].filter((block) => {
    const box = block.getBoundingClientRect();
    return box.bottom >= low && box.top <= high && block.firstElementChild?.classList.contains("turn-stripes");
  });
}

// --- server calls ----------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status, retryAfter = 0) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter; // seconds the server asked us to wait (Retry-After)
  }
}

// Retry-After is either whole seconds or an HTTP date.
function retryAfterSeconds(response) {
  const raw = response.headers.get("Retry-After");
  if (!raw) return 0;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function csrfToken() {
  // The CSRF cookie is HttpOnly: the token comes from the page's form.
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

async function call(method, url, body, extraHeaders = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        ...extraHeaders,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("The server could not be reached. Check the connection and try again.", 0);
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const reason = payload && payload.error ? payload.error : `The server answered ${response.status}.`;
    throw new ApiError(reason, response.status, retryAfterSeconds(response));
  }
  return payload;
}

// Only for saves that are safe to repeat: creation carries a client-made uuid, so a
// retry after a lost answer cannot duplicate; adding a theme or setting a memo twice
// leaves the same quote. While the server is unreachable (no answer, or 503) the save is
// tried again with exponential backoff, never sooner than the server's Retry-After.
const RETRY = { attempts: 8, firstDelay: 1, maxDelay: 60 };

function backoffSeconds(attempt, retryAfter) {
  const exponential = Math.min(RETRY.firstDelay * 2 ** attempt, RETRY.maxDelay);
  return Math.min(Math.max(exponential, retryAfter || 0), RETRY.maxDelay);
}

async function callWithRetry(method, url, body, onWait = () => {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(method, url, body);
    } catch (error) {
      const transient = error.status === 0 || error.status === 503;
      if (!transient || attempt >= RETRY.attempts - 1) throw error;
      const seconds = backoffSeconds(attempt, error.retryAfter);
      onWait(seconds, attempt + 1);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function accept(quote) {
  for (const theme of quote.theme_details || []) {
    if (!themes.has(theme.id)) themeOrder.push(theme.id);
    themes.set(theme.id, theme);
  }
  const { theme_details: _details, ...plain } = quote;
  if (plain.deleted) quotes.delete(plain.id);
  else quotes.set(plain.id, plain);
  return plain;
}

// --- undo and redo of every coding action (coding/history.js) -------------------------

const undoButton = document.getElementById("undo-button");
const redoButton = document.getElementById("redo-button");
const undoHistory = new History({
  send: async (id, body) => accept((await call("POST", quoteUrl(id, "undo/"), body)).quote),
  onChange: () => {
    if (!undoButton) return;
    undoButton.disabled = !undoHistory.undoLabel;
    redoButton.disabled = !undoHistory.redoLabel;
    undoButton.title = undoHistory.undoLabel ? `Undo ${undoHistory.undoLabel} (Ctrl+Z)` : "Nothing to undo";
    redoButton.title = undoHistory.redoLabel ? `Redo ${undoHistory.redoLabel} (Ctrl+Shift+Z)` : "Nothing to redo";
  },
});
undoHistory.onChange();

// Undo (or redo) the last action; `message` replaces the default toast.
async function stepHistory(direction, message = "") {
  if (!data.can_code) return;
  if (saving || quickSaving) {
    showToast("Still saving the last change: wait for it to land.");
    return;
  }
  const verb = direction === "undo" ? "Undone" : "Redone";
  try {
    const result = await (direction === "undo" ? undoHistory.undo() : undoHistory.redo());
    if (!result) {
      showToast(direction === "undo" ? "Nothing to undo." : "Nothing to redo.");
      return;
    }
    afterHistory();
    const text = message || `${verb}: ${result.label}.`;
    showToast(text);
    announce(text);
  } catch (error) {
    afterHistory();
    const text = `Not ${verb.toLowerCase()}: ${error.message}`;
    showToast(text);
    announce(text);
  }
}

function afterHistory() {
  if (dialog.open && current) {
    if (current.quoteId && !quotes.has(current.quoteId)) {
      current.quoteId = null;
      current.selection = null;
      closeDialog();
    } else if (current.quoteId) fillDialog();
  }
  refresh();
}

undoButton?.addEventListener("click", () => stepHistory("undo"));
redoButton?.addEventListener("click", () => stepHistory("redo"));
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key !== "z" && key !== "y") return;
  // Text fields keep their own undo (the memo, the filters).
  if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable=true]")) return;
  if (turnsDialog.open) return;
  event.preventDefault();
  stepHistory(key === "y" || event.shiftKey ? "redo" : "undo");
});

// --- announcements and the undo toast ----------------------------------------------

const announcer = document.createElement("p");
announcer.className = "visually-hidden";
announcer.setAttribute("role", "status");
document.body.append(announcer);
function announce(message) {
  announcer.textContent = message;
}

let toastTimer = 0;
function showToast(message, action) {
  clearTimeout(toastTimer);
  const label = document.createElement("span");
  label.textContent = message;
  const parts = [label];
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", action.run);
    parts.push(button);
  }
  toast.replaceChildren(...parts);
  toast.classList.add("open");
  const hide = () => {
    if (toast.contains(document.activeElement)) {
      toastTimer = setTimeout(hide, 5000);
      return;
    }
    toast.classList.remove("open");
    toast.replaceChildren();
  };
  toastTimer = setTimeout(hide, action ? 20000 : 5000);
  return parts[1];
}

// --- the dialog ---------------------------------------------------------------------

const dialog = document.getElementById("quote-dialog");
const el = (id) => document.getElementById(id);
const ui = {
  title: el("qd-title"),
  passage: el("qd-passage"),
  meta: el("qd-meta"),
  also: el("qd-also"),
  themes: el("qd-themes"),
  picker: el("qd-picker"),
  input: el("qd-theme"),
  memoBox: el("qd-memo-box"),
  memo: el("qd-memo"),
  saveMemo: el("qd-save-memo"),
  edges: el("qd-edges"),
  error: el("qd-error"),
  remove: el("qd-delete"),
  close: el("qd-close"),
  status: el("qd-status"),
  changed: el("qd-changed"),
};
let current = null;

const picker = new ThemePicker({
  input: ui.input,
  listbox: el("qd-theme-options"),
  themes,
  themeOrder,
  canPropose: data.can_propose,
  isAdmin: data.is_admin,
  storageKey: `aefront.recentThemes.${data.project}`,
  onPick: applyTheme,
});

const suggestions = new ThemeSuggestions({
  box: el("qd-suggest"),
  url: data.urls.suggest,
  quoteBase: data.urls.quote_base,
  csrfToken,
  themes,
  onPick: applyTheme,
});

function setError(message) {
  ui.error.textContent = message || "";
}

// The save in flight: the dialog stays open, with the passage, until it lands or fails.
let saving = null;

function setStatus(message) {
  ui.status.textContent = message || "";
}

// Saves the way a person expects while the server is briefly away: the status says
// when the next try is; the work stays in the dialog until the server has it.
async function save(method, url, body) {
  setStatus("Saving…");
  const attempt = callWithRetry(method, url, body, (seconds) => {
    setStatus(`Saving… retrying in ${seconds} s`);
  });
  saving = attempt;
  try {
    return await attempt;
  } finally {
    if (saving === attempt) saving = null;
    setStatus("");
  }
}

function formatDate(iso) {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

function fillDialog() {
  const quote = current.quoteId ? quotes.get(current.quoteId) : null;
  const editable = quote ? quote.can_edit : data.can_code;
  ui.title.textContent = quote ? "Quote" : "Code passage";
  const parts = [current.text, ...(current.more || []).map((part) => part.text)];
  ui.passage.textContent = quote ? quoteText(quote) : parts.join("\n…\n");
  if (quote) {
    const who = quote.coder.id === data.user.id ? `${quote.coder.name} (you)` : quote.coder.name;
    ui.meta.textContent = `Coded by ${who} on ${formatDate(quote.created)}.`;
  }
  const history = document.getElementById("qd-history");
  if (quote && data.urls.trail) {
    document.getElementById("qd-history-link").href = `${data.urls.trail}?quote=${quote.id}`;
    history.hidden = false;
  } else {
    history.hidden = true;
  }
  if (!quote) {
    const count = 1 + (current.more || []).length;
    ui.meta.textContent =
      count > 1
        ? `Apply one or more themes to save this selection as ${count} quotes, one per turn.`
        : "Apply one or more themes to save this passage as a quote.";
  } else if (current.moreIds && current.moreIds.length) {
    ui.meta.textContent += ` Saved as ${1 + current.moreIds.length} quotes, one per turn: themes applied here go to each.`;
  }
  const items = (quote ? quote.themes : []).map((themeId) => {
    const theme = themes.get(themeId) || { path: `Theme ${themeId}`, colour: "#bdbdbd" };
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = theme.colour;
    swatch.setAttribute("aria-hidden", "true");
    li.append(swatch, ` ${theme.path} `);
    if (editable && quote.themes.length > 1) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = "Remove";
      button.setAttribute("aria-label", `Remove theme ${theme.path}`);
      button.addEventListener("click", () => removeTheme(themeId));
      li.append(button);
    }
    return li;
  });
  if (!items.length) {
    const li = document.createElement("li");
    li.className = "none";
    li.textContent = "None yet.";
    items.push(li);
  }
  ui.themes.replaceChildren(...items);
  const others = (current.also || []).filter((id) => id !== current.quoteId && quotes.has(id));
  ui.also.hidden = !others.length;
  ui.also.replaceChildren(
    ...(others.length ? [document.createTextNode("Other quotes here: ")] : []),
    ...others.map((id) => {
      const other = quotes.get(id);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      const words = quoteText(other).split(/\s+/).slice(0, 6).join(" ");
      button.textContent = `${other.coder.name}: “${words}…”`;
      button.addEventListener("click", () => {
        saveMemoIfChanged();
        current.quoteId = id;
        current.more = [];
        current.moreIds = [];
        fillDialog();
      });
      return button;
    }),
  );
  ui.picker.hidden = !editable;
  ui.memo.readOnly = !editable;
  ui.saveMemo.hidden = !editable;
  if (quote) ui.memo.value = quote.memo;
  // The memo's draft (idle.js) belongs to this quote, or to this passage until coded.
  ui.memo.dataset.saved = quote ? quote.memo : "";
  ui.memo.dataset.draftScope = quote ? `q${quote.id}` : `new:${current.start}-${current.end}`;
  if (editable) restoreDraft(ui.memo);
  ui.memoBox.hidden = !editable && !(quote && quote.memo);
  ui.edges.hidden = !(quote && editable);
  ui.remove.hidden = !(quote && editable);
  picker.reset(new Set(quote ? quote.themes : []));
  suggestions.show(ui.passage.textContent, new Set(quote ? quote.themes : []), editable, quote && quote.id);
}

function openDialog(state) {
  current = state;
  setError("");
  ui.changed.hidden = true;
  ui.changed.textContent = "";
  ui.memo.value = "";
  fillDialog();
  if (!dialog.open) dialog.showModal();
  (ui.picker.hidden ? ui.close : ui.input).focus();
}

// `more`: the other turns' parts of a cross-turn selection, saved as quotes of their own
// with the same themes (see coding/turns.js).
function openNew(span, more = []) {
  const start = index.toCodePoints(span.start);
  const end = index.toCodePoints(span.end);
  openDialog({
    quoteId: null,
    start,
    end,
    text: text.slice(span.start, span.end),
    key: newKey(),
    opener: root,
    selection: span,
    more: more.map((part) => ({
      start: index.toCodePoints(part.start),
      end: index.toCodePoints(part.end),
      text: text.slice(part.start, part.end),
      key: newKey(),
    })),
    moreIds: [],
  });
}

// The other parts of a cross-turn selection get what the open quote got.
async function applyToMore(choice) {
  const changes = [];
  if (!current.more || !current.more.length) return changes;
  const body = choice.theme ? { theme: choice.theme.id } : { new_theme: choice.newName };
  if (!current.moreIds.length) {
    for (const part of current.more) {
      const result = await save("POST", data.urls.quotes, {
        ...part,
        uuid: part.key,
        memo: ui.memo.value,
        themes: choice.theme ? [choice.theme.id] : [],
        new_theme: choice.newName || "",
      });
      const before = quotes.get(result.quote.id);
      const quote = accept(result.quote);
      current.moreIds.push(quote.id);
      changes.push([before, quote]);
    }
    return changes;
  }
  for (const id of current.moreIds) {
    const before = quotes.get(id);
    changes.push([before, accept((await save("POST", quoteUrl(id, "themes/"), body)).quote)]);
  }
  return changes;
}

function openQuote(id, opener, also = []) {
  if (!quotes.has(id)) return;
  openDialog({ quoteId: id, opener, also });
}

async function saveMemoIfChanged() {
  const quote = current && current.quoteId ? quotes.get(current.quoteId) : null;
  if (!quote || !quote.can_edit || ui.memo.value === quote.memo) return true;
  try {
    const result = await save("POST", quoteUrl(quote.id, "memo/"), { memo: ui.memo.value });
    undoHistory.record("the memo edit", [[quote, accept(result.quote)]]);
    memoSaved(result.quote);
    announce("Memo saved.");
    return true;
  } catch (error) {
    setError(error.message);
    showToast(`The memo was not saved: ${error.message}`);
    return false;
  }
}

function memoSaved(quote) {
  if (ui.memo.value !== quote.memo) return;
  forgetDraft(ui.memo);
  ui.memo.dataset.saved = quote.memo;
  ui.memo.dataset.draftScope = `q${quote.id}`;
}

async function closeDialog() {
  if (!current) return;
  if (saving) {
    // Closing now would hide work the server does not have yet.
    setError("Still saving: this passage stays here until the server has it.");
    return;
  }
  const state = current;
  await saveMemoIfChanged();
  current = null;
  if (dialog.open) dialog.close();
  if (pendingRefresh) {
    pendingRefresh = false;
    refresh();
  }
  const opener = state.opener && document.contains(state.opener) ? state.opener : root;
  opener.focus({ preventScroll: true });
  if (opener !== root) return;
  const quote = state.quoteId ? quotes.get(state.quoteId) : null;
  if (quote) {
    // Reading goes on after the quote: the caret lands at its end.
    const end = utf16ToDom(root, index.toUtf16(quote.end));
    window.getSelection().collapse(end.node, end.offset);
  } else if (state.selection) {
    // Nothing was coded: give the selection back so it can be adjusted.
    const a = utf16ToDom(root, state.selection.start);
    const z = utf16ToDom(root, state.selection.end);
    window.getSelection().setBaseAndExtent(a.node, a.offset, z.node, z.offset);
  }
  drawCaret();
}

async function applyTheme(choice) {
  setError("");
  if (saving) {
    setError("Still saving the last change: wait for it to land.");
    return false;
  }
  try {
    let result;
    if (!current.quoteId) {
      result = await save("POST", data.urls.quotes, {
        start: current.start,
        end: current.end,
        text: current.text,
        uuid: current.key,
        memo: ui.memo.value,
        themes: choice.theme ? [choice.theme.id] : [],
        new_theme: choice.newName || "",
      });
    } else {
      const body = choice.theme ? { theme: choice.theme.id } : { new_theme: choice.newName };
      result = await save("POST", quoteUrl(current.quoteId, "themes/"), body);
    }
    setError("");
    const before = quotes.get(result.quote.id);
    const quote = accept(result.quote);
    memoSaved(quote);
    current.quoteId = quote.id;
    const more = await applyToMore(choice);
    let applied = choice.theme;
    if (!applied) {
      const wanted = choice.newName.toLocaleLowerCase();
      applied = [...themes.values()].find((t) => t.name.toLocaleLowerCase() === wanted);
    }
    if (applied) {
      picker.remember(applied.id);
      rememberLast(applied.id);
    }
    undoHistory.record(
      before ? `adding ${applied ? applied.path : "a theme"}` : `coding with ${applied ? applied.path : "a theme"}`,
      [[before, quote], ...more],
    );
    fillDialog();
    ui.input.focus();
    refreshAround([quote, ...more.map(([, q]) => q)]);
    const hidden = shown(quote) ? "" : " It is hidden by the current filter.";
    announce(`Applied ${applied ? applied.path : "theme"}.${hidden}`);
    return true;
  } catch (error) {
    setError(error.message);
    return false;
  }
}

async function removeTheme(themeId) {
  setError("");
  try {
    const before = quotes.get(current.quoteId);
    const result = await call("POST", quoteUrl(current.quoteId, `themes/${themeId}/remove/`));
    const theme = themes.get(themeId);
    undoHistory.record(`removing ${theme ? theme.path : "a theme"}`, [[before, accept(result.quote)]]);
    fillDialog();
    refresh();
    ui.input.focus();
    announce("Theme removed.");
  } catch (error) {
    setError(error.message);
  }
}

async function adjust(edge, action) {
  setError("");
  try {
    const before = quotes.get(current.quoteId);
    const result = await call("POST", quoteUrl(current.quoteId, "adjust/"), { edge, action });
    undoHistory.record(`${action === "widen" ? "widening" : "narrowing"} the quote`, [[before, accept(result.quote)]]);
    fillDialog();
    refresh();
    announce("Quote adjusted.");
  } catch (error) {
    setError(error.message);
  }
}

async function deleteQuote() {
  setError("");
  const id = current.quoteId;
  const before = quotes.get(id);
  try {
    const result = await call("POST", quoteUrl(id, "delete/"));
    undoHistory.record("deleting the quote", [[before, accept(result.quote)]]);
  } catch (error) {
    setError(error.message);
    return;
  }
  quotes.delete(id);
  current.quoteId = null;
  current.selection = null;
  await closeDialog();
  refresh();
  const button = showToast("Quote deleted.", {
    label: "Undo",
    run: () => undoFromToast("deleting the quote", "Quote restored."),
  });
  if (button) button.focus();
}


dialog.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeDialog();
});
dialog.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const focusable = [...dialog.querySelectorAll("button, input, textarea, select, a[href]")].filter(
    (node) => !node.disabled && node.offsetParent !== null,
  );
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
});
ui.close.addEventListener("click", () => closeDialog());
ui.remove.addEventListener("click", () => deleteQuote());
ui.saveMemo.addEventListener("click", async () => {
  if (!current.quoteId) {
    setError("Apply a theme first: the memo is saved with the quote.");
    return;
  }
  if (await saveMemoIfChanged()) announce("Memo saved.");
});
ui.edges.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-edge]");
  if (button) adjust(button.dataset.edge, button.dataset.action);
});

// --- selecting with the mouse and the keyboard ---------------------------------------

// In-vivo coding: the selected words, as a theme name (at most 100 characters, cut at
// a word; quotes and punctuation at the ends dropped).
function inVivoName(words) {
  let name = words.replace(/\s+/g, " ").trim();
  name = name.replace(/^[\s"'“”‘’.,;:!?()\[\]-]+|[\s"'“”‘’.,;:!?()\[\]-]+$/gu, "");
  if (name.length > 100) name = name.slice(0, 100).replace(/\s+\S*$/, "");
  return name;
}

async function codeSelection({ inVivo = false } = {}) {
  if (!data.can_code) {
    showToast("Your role in this project can read quotes but not code.");
    return;
  }
  if (inVivo && !data.can_propose) {
    showToast("Only an admin can add themes in this project: pick an existing theme.");
    return;
  }
  if (turnsDialog.open) return;
  const span = pendingSpan();
  if (!span) {
    showToast("Select a passage first: hold Shift and use the arrow keys.");
    return;
  }
  const spans = await spansFor(span);
  if (!spans) return;
  openNew(spans[0], spans.slice(1));
  if (inVivo) {
    // The new theme is named by the words, through the same second step as a typed name.
    const name = inVivoName(text.slice(spans[0].start, spans[0].end));
    if (!name) return;
    ui.input.value = name;
    picker.confirm(name);
    announce(`In-vivo theme “${name}”: confirm the proposal, or choose a close existing theme.`);
  }
}

// --- coding in one action: the codebook, number keys, the last theme again ------------

// The transcript's last selection, kept while focus moves to the codebook.
let heldRange = null;
document.addEventListener("selectionchange", () => {
  const selection = window.getSelection();
  if (!selection.rangeCount) return;
  const inside = root.contains(selection.anchorNode);
  if (inside && !selection.isCollapsed) heldRange = selection.getRangeAt(0).cloneRange();
  else if (inside || !selection.isCollapsed) heldRange = null;
});

function pendingSpan() {
  const span = selectionUtf16(root, text);
  if (span || !heldRange || !root.contains(heldRange.startContainer)) return span;
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(heldRange);
  return selectionUtf16(root, text);
}

const LAST_KEY = `aefront.lastTheme.${data.project}`;
function lastTheme() {
  try {
    return themes.get(Number(localStorage.getItem(LAST_KEY))) || null;
  } catch {
    return null;
  }
}
function rememberLast(themeId) {
  try {
    localStorage.setItem(LAST_KEY, String(themeId));
  } catch {
    // Private mode: R repeats nothing after a reload.
  }
}

let quickSaving = false;
async function quickCode(theme) {
  if (!data.can_code) {
    showToast("Your role in this project can read quotes but not code.");
    return;
  }
  if (dialog.open || quickSaving || turnsDialog.open) return;
  const t0 = performance.now();
  if (!theme.active) {
    showToast(`${theme.path} is retired: choose another theme.`);
    return;
  }
  const span = pendingSpan();
  if (!span) {
    showToast(`Select a passage first, then choose ${theme.path}.`);
    return;
  }
  const spans = await spansFor(span);
  if (!spans) return;
  quickSaving = true;
  const made = [];
  try {
    for (const part of spans) {
      const body = {
        start: index.toCodePoints(part.start),
        end: index.toCodePoints(part.end),
        text: text.slice(part.start, part.end),
        uuid: newKey(),
        memo: "",
        themes: [theme.id],
        new_theme: "",
      };
      const result = await callWithRetry("POST", data.urls.quotes, body, (seconds) => {
        announce(`Saving… retrying in ${seconds} s`);
      });
      const before = quotes.get(result.quote.id);
      const hadTheme = before ? before.themes.includes(theme.id) : false;
      made.push({ quote: accept(result.quote), before, hadTheme });
    }
  } catch (error) {
    if (made.length) refresh();
    showToast(`Not coded: ${error.message}`);
    return;
  } finally {
    quickSaving = false;
  }
  const quote = made[made.length - 1].quote;
  picker.remember(theme.id);
  rememberLast(theme.id);
  heldRange = null;
  const focusInRoot = document.activeElement === root;
  refreshAround(made.map(({ quote: q }) => q));
  // For bench/coding.py: the click to the new highlight and its block's stripes on screen.
  stats.quickMs = performance.now() - t0;
  const end = utf16ToDom(root, index.toUtf16(quote.end));
  window.getSelection().collapse(end.node, end.offset);
  if (focusInRoot) root.focus({ preventScroll: true });
  drawCaret();
  const label = `coding with ${theme.path}`;
  undoHistory.record(label, made.map(({ quote: q, before }) => [before, q]));
  const changed = made.some(({ before, hadTheme }) => !before || !hadTheme);
  const undo = changed ? () => undoFromToast(label, "Coding undone.") : null;
  const hidden = shown(quote) ? "" : " It is hidden by the current filter.";
  const what = made.length > 1 ? `${made.length} quotes, one per turn,` : "";
  const message = `Coded ${what ? `${what} ` : ""}with ${theme.path}.${hidden}`;
  showToast(message, undo && { label: "Undo", run: undo });
  announce(message);
}

// A selection as the spans one gesture saves (see coding/turns.js), or null.
async function spansFor(span) {
  const plan = planSpans(blocks, span, { multiTurn: data.multi_turn_quotes });
  if (plan.refused) {
    showToast(plan.refused);
    return null;
  }
  if (plan.spans) return plan.spans;
  const chosen = await turnChooser.choose(plan.choose);
  root.focus({ preventScroll: true });
  if (!chosen) {
    const a = utf16ToDom(root, span.start);
    const z = utf16ToDom(root, span.end);
    window.getSelection().setBaseAndExtent(a.node, a.offset, z.node, z.offset);
    announce("Nothing coded.");
    return null;
  }
  return chosen.length ? chosen : null;
}

// The toast's Undo: the same server step as Ctrl+Z, if that action is still the last.
function undoFromToast(label, message) {
  if (undoHistory.undoLabel !== label) {
    showToast("Later changes were made since: use Undo (Ctrl+Z) to step back through them.");
    return;
  }
  stepHistory("undo", message).then(() => {
    if (!dialog.open) root.focus({ preventScroll: true });
  });
}

const codebook = new Codebook({
  section: document.getElementById("codebook"),
  list: document.getElementById("codebook-list"),
  filter: document.getElementById("codebook-filter"),
  toggle: document.getElementById("codebook-toggle"),
  body: document.getElementById("codebook-body"),
  themes,
  extra: data.codebook || [],
  canCode: data.can_code,
  onCode: quickCode,
});

root.addEventListener("dragstart", () => {
  codebook.dragging = data.can_code;
});
document.addEventListener("dragend", () => {
  codebook.dragging = false;
});

function updateCodebook() {
  const here = new Map();
  for (const quote of quotes.values()) {
    for (const id of quote.themes) here.set(id, (here.get(id) || 0) + 1);
  }
  codebook.update(themeOrder, here);
}

// Margin stripes can be switched off (remembered in this browser).
const STRIPES_KEY = "aefront.stripesOff";
const stripesToggle = document.getElementById("stripes-toggle");
function setStripes(on) {
  stripesToggle.checked = on;
  root.classList.toggle("no-stripes", !on);
}
try {
  setStripes(localStorage.getItem(STRIPES_KEY) !== "1");
} catch {
  setStripes(true);
}
stripesToggle.addEventListener("change", () => {
  setStripes(stripesToggle.checked);
  try {
    localStorage.setItem(STRIPES_KEY, stripesToggle.checked ? "0" : "1");
  } catch {
    // Private mode: for this page only.
  }
});

document.getElementById("codebook-dialog")?.addEventListener("mousedown", (event) => event.preventDefault());
document.getElementById("codebook-dialog")?.addEventListener("click", () => codeSelection());
document.getElementById("codebook-invivo")?.addEventListener("mousedown", (event) => event.preventDefault());
document.getElementById("codebook-invivo")?.addEventListener("click", () => codeSelection({ inVivo: true }));

// A selection no longer opens the dialog: the codebook (or a number key) codes it in
// one action, and T or the codebook's button opens the dialog.

root.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return;
  const mark = event.target.closest("mark[data-quote-id]");
  if (!mark || !root.contains(mark)) return;
  openQuote(Number(mark.dataset.quoteId), root, mark.dataset.quoteIds.split(" ").map(Number));
});

const caret = document.createElement("span");
caret.className = "caret";
caret.setAttribute("aria-hidden", "true");
caret.hidden = true;
wrap.append(caret);

// --- highlight details: a highlight's themes and coders on hover or with the caret -------

const tip = document.createElement("div");
tip.id = "mark-tip";
tip.className = "mark-tip";
tip.setAttribute("role", "tooltip");
tip.hidden = true;
wrap.append(tip);
let tipMark = null;
let tipTimer = 0;
const HELP_ID = root.getAttribute("aria-describedby") || "";

function showTip(mark) {
  clearTimeout(tipTimer);
  if (mark === tipMark && !tip.hidden) return;
  const ids = mark.dataset.quoteIds.split(" ").map(Number).filter((id) => quotes.has(id));
  if (!ids.length) {
    hideTip();
    return;
  }
  const items = ids.map((id) => {
    const quote = quotes.get(id);
    const li = document.createElement("li");
    const names = quote.themes.map((themeId) => (themes.get(themeId) || { path: `Theme ${themeId}` }).path);
    const who = quote.coder.id === data.user.id ? `${quote.coder.name} (you)` : quote.coder.name;
    li.textContent = `${names.join(", ") || "No theme"} · ${who}`;
    return li;
  });
  const list = document.createElement("ul");
  list.append(...items);
  tip.replaceChildren(list);
  tip.hidden = false;
  tipMark = mark;
  const rects = mark.getClientRects();
  const box = rects.length ? rects[rects.length - 1] : mark.getBoundingClientRect();
  const origin = wrap.getBoundingClientRect();
  tip.style.top = `${box.bottom - origin.top + 4}px`;
  tip.style.left = `${Math.max(0, Math.min(box.left - origin.left, origin.width - tip.offsetWidth))}px`;
  root.setAttribute("aria-describedby", `${HELP_ID} mark-tip`.trim());
}

function hideTip() {
  clearTimeout(tipTimer);
  tip.hidden = true;
  tipMark = null;
  if (HELP_ID) root.setAttribute("aria-describedby", HELP_ID);
  else root.removeAttribute("aria-describedby");
}

root.addEventListener("mouseover", (event) => {
  const mark = event.target.closest("mark[data-quote-id]");
  if (mark && root.contains(mark)) showTip(mark);
  else if (tipMark && document.activeElement !== root) tipTimer = setTimeout(hideTip, 300);
});
// The pointer may move onto the details without them vanishing (WCAG 1.4.13).
root.addEventListener("mouseleave", () => {
  tipTimer = setTimeout(hideTip, 300);
});
tip.addEventListener("mouseenter", () => clearTimeout(tipTimer));
tip.addEventListener("mouseleave", () => {
  tipTimer = setTimeout(hideTip, 300);
});

function tipAtCaret() {
  const selection = window.getSelection();
  if (document.activeElement !== root || !selectionInRoot()) return;
  const node = selection.focusNode;
  const mark = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest("mark[data-quote-id]");
  if (mark && root.contains(mark)) showTip(mark);
  else hideTip();
}

function selectionInRoot() {
  const selection = window.getSelection();
  return selection.rangeCount > 0 && root.contains(selection.focusNode);
}

function ensureCaret() {
  if (selectionInRoot()) return;
  const { node, offset } = utf16ToDom(root, 0);
  window.getSelection().collapse(node, offset);
}

function drawCaret() {
  const selection = window.getSelection();
  if (document.activeElement !== root || !selectionInRoot()) {
    caret.hidden = true;
    return;
  }
  const range = document.createRange();
  range.setStart(selection.focusNode, selection.focusOffset);
  const rects = range.getClientRects();
  const box = rects.length ? rects[0] : range.getBoundingClientRect();
  const origin = wrap.getBoundingClientRect();
  caret.hidden = false;
  caret.style.top = `${box.top - origin.top}px`;
  caret.style.left = `${box.left - origin.left}px`;
  caret.style.height = `${Math.max(box.height, 16)}px`;
  caret.scrollIntoView({ block: "nearest" });
}

const MOVES = {
  ArrowLeft: ["backward", "character", "word"],
  ArrowRight: ["forward", "character", "word"],
  ArrowUp: ["backward", "line", "paragraph"],
  ArrowDown: ["forward", "line", "paragraph"],
  Home: ["backward", "lineboundary", "documentboundary"],
  End: ["forward", "lineboundary", "documentboundary"],
};

root.addEventListener("keydown", (event) => {
  if (event.altKey || event.metaKey) return;
  // A turn's play button and the margin stripes (coding/stripe_keys.js) keep their own keys.
  if (event.target.closest("button, .turn-stripes")) return;
  const move = MOVES[event.key];
  if (move) {
    event.preventDefault();
    ensureCaret();
    const [direction, unit, ctrlUnit] = move;
    window.getSelection().modify(event.shiftKey ? "extend" : "move", direction, event.ctrlKey ? ctrlUnit : unit);
    drawCaret();
    tipAtCaret();
    return;
  }
  if (event.key === "Escape" && !tip.hidden) {
    hideTip(); // dismissible without moving (WCAG 1.4.13)
    return;
  }
  if (/^[1-9]$/.test(event.key) && !event.ctrlKey && data.can_code) {
    const theme = codebook.numbered()[Number(event.key) - 1];
    if (theme) {
      event.preventDefault();
      quickCode(theme);
    }
    return;
  }
  if ((event.key === "r" || event.key === "R") && !event.ctrlKey && data.can_code) {
    event.preventDefault();
    const theme = lastTheme();
    if (theme) quickCode(theme);
    else showToast("No theme used yet: click one in the codebook or press its number.");
    return;
  }
  if ((event.key === "v" || event.key === "V") && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    codeSelection({ inVivo: true });
    return;
  }
  const shortcut = (event.key === "t" || event.key === "T") && !event.ctrlKey;
  if (shortcut || (event.key === "Enter" && event.ctrlKey)) {
    event.preventDefault();
    codeSelection();
    return;
  }
  if (event.key === "Enter" && selectionInRoot()) {
    const node = window.getSelection().focusNode;
    const mark = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest("mark[data-quote-id]");
    if (mark) {
      event.preventDefault();
      openQuote(Number(mark.dataset.quoteId), root, mark.dataset.quoteIds.split(" ").map(Number));
    }
  }
});
root.addEventListener("focus", () => requestAnimationFrame(drawCaret));
root.addEventListener("blur", () => {
  caret.hidden = true;
  if (!tip.matches(":hover")) hideTip();
});

// --- finding your way: the side panel ------------------------------------------------

function flash(id) {
  const marks = root.querySelectorAll(`mark[data-quote-id="${Number(id)}"]`);
  for (const mark of marks) mark.classList.add("flash");
  setTimeout(() => {
    for (const mark of marks) mark.classList.remove("flash");
  }, 1600);
}

panel.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-quote-id]");
  if (!link) return;
  event.preventDefault();
  const id = Number(link.dataset.quoteId);
  const mark = document.getElementById(`quote-${id}`);
  if (!mark) return;
  mark.scrollIntoView({ block: "center" });
  history.replaceState(null, "", `#quote-${id}`);
  const first = mark.firstChild && mark.firstChild.nodeType === Node.TEXT_NODE ? mark.firstChild : mark;
  window.getSelection().collapse(first, 0);
  root.focus({ preventScroll: true });
  flash(id);
  announce("Moved to the quote. Press Enter to open it.");
});

// On a small screen the codebook and quotes are a drawer, opened by its button.
const drawerToggle = document.getElementById("drawer-toggle");
const drawer = document.getElementById("coding-panel");
drawerToggle?.addEventListener("mousedown", (event) => event.preventDefault());
drawerToggle?.addEventListener("click", () => {
  const open = !drawer.hasAttribute("data-open");
  drawer.toggleAttribute("data-open", open);
  drawerToggle.setAttribute("aria-expanded", String(open));
  drawerToggle.textContent = open ? "Close the codebook" : "Codebook and quotes";
});

// Hovering a margin stripe outlines the passage it stands for.
let outlined = [];
function outline(quoteId) {
  for (const mark of outlined) mark.classList.remove("outlined");
  outlined = quoteId ? [...root.querySelectorAll(`mark[data-quote-id="${Number(quoteId)}"]`)] : [];
  for (const mark of outlined) mark.classList.add("outlined");
}
root.addEventListener("mouseover", (event) => {
  const stripe = event.target.closest(".stripe[data-quote]");
  outline(stripe ? stripe.dataset.quote : null);
});

root.addEventListener("click", (event) => {
  const stripe = event.target.closest(".stripe[data-quote]");
  if (stripe) openQuote(Number(stripe.dataset.quote), root);
});
const stripeKeys = new StripeKeys(root, {
  draw: (block) => {
    blockWatcher.unobserve(block);
    return drawBlockStripes(block, stripeState);
  },
  outline,
  open: (id, opener) => openQuote(id, opener),
});

// --- other coders' changes ---------------------------------------------------------

// A quote open in the dialog that someone else changes meanwhile: say so, at once.
function warnIfOpen(quote) {
  if (!dialog.open || !current || current.quoteId !== quote.id) return;
  const known = quotes.get(quote.id);
  if (known && known.updated === quote.updated) return;
  if (!undoHistory.changedElsewhere(quote) && undoHistory.mine.has(quote.id)) return;
  ui.changed.textContent = quote.deleted
    ? "Another coder deleted this quote while it was open here."
    : "Another coder changed this quote while it was open here: its themes below are theirs now. " +
      "Saving your memo replaces theirs; undoing your earlier changes to it is refused.";
  ui.changed.hidden = false;
  if (!quote.deleted) {
    // A memo typed here and not saved yet stays in the box; otherwise theirs shows.
    const edited = ui.memo.value !== (ui.memo.dataset.saved || "");
    const memo = ui.memo.value;
    accept(quote);
    fillDialog();
    if (edited) ui.memo.value = memo;
  }
}

async function poll() {
  if (document.hidden) return;
  try {
    // Polling is not activity: it must not keep an idle session alive.
    const result = await call("GET", `${data.urls.quotes}?since=${encodeURIComponent(since)}`, undefined, {
      "X-Aefront-Background": "poll",
    });
    since = result.now;
    if (result.themes) {
      setThemes(result.themes);
      picker.themeOrder = themeOrder;
    }
    let changed = false;
    for (const quote of result.quotes) {
      warnIfOpen(quote);
      if (quote.deleted) {
        changed = quotes.delete(quote.id) || changed;
      } else {
        const known = quotes.get(quote.id);
        if (!known || known.updated !== quote.updated) {
          accept(quote);
          changed = true;
        }
      }
    }
    if (changed) {
      if (dialog.open) pendingRefresh = true;
      else refresh();
    }
  } catch {
    // Try again at the next tick.
  }
}

// Every open page of the transcript: the stream says when to look (coding/live.js).
async function reloadQuotes() {
  try {
    const result = await call("GET", data.urls.quotes, undefined, { "X-Aefront-Background": "poll" });
    since = result.now;
    setThemes(result.themes);
    picker.themeOrder = themeOrder;
    quotes.clear();
    for (const quote of result.quotes) accept(quote);
    if (dialog.open) pendingRefresh = true;
    else refresh();
  } catch {
    // The next event or reconnect tries again.
  }
}
startLive({
  urls: data.urls,
  user: data.user,
  pollMs: data.poll_ms,
  poll,
  reload: reloadQuotes,
  dialog,
  editingQuote: () => (current && current.quoteId) || null,
});
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(watchBlocks, 150);
});

// --- ready ----------------------------------------------------------------------------

if (location.hash.startsWith("#quote-")) flash(location.hash.slice(7));
else jumpToPlace(root, index, utf16ToDom, location.hash);
document.documentElement.classList.add("js");
stats.marks = root.getElementsByTagName("mark").length;
updateCodebook();
watchBlocks();
stats.wireMs = performance.now() - started;
stats.readyAt = performance.now(); // ms since navigation started
// For bench/coding.py: one full re-render with stripes and layout, in ms.
stats.measureRender = () => {
  const t0 = performance.now();
  refresh();
  for (const block of visibleBlocks()) {
    blockWatcher.unobserve(block);
    drawBlockStripes(block, stripeState);
  }
  return performance.now() - t0;
};
root.dataset.ready = "true";
document.documentElement.dataset.ready = "true";
