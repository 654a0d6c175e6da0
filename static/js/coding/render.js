// Client-side re-render of the transcript, side panel and margin stripes after an edit.
//
// It mirrors coding/reading.py: the same sweep over quote edges (O((n + q) log q)),
// the same nesting of <mark>s, the same blocks. Nodes are built with createElement
// and textContent only, into one DocumentFragment, and swapped in with a single
// replaceChildren(): the browser lays out once per render, whatever the number of quotes.

const SPACE_ONLY = /^\s*$/;
const SPEAKER_LABEL_GAP = /^\s*[^\s:][^\n:]{0,59}:\s*$/;

export function sweep(length, spans, cuts) {
  // spans: [id, start, end] in UTF-16 units; returns [{start, end, ids}] (ids outermost first).
  const boundarySet = new Set([0, length]);
  for (const cut of cuts) if (cut >= 0 && cut <= length) boundarySet.add(cut);
  const opening = new Map();
  const closing = new Map();
  for (const [id, start, end] of spans) {
    boundarySet.add(start);
    boundarySet.add(end);
    if (!opening.has(start)) opening.set(start, []);
    opening.get(start).push(id);
    if (!closing.has(end)) closing.set(end, []);
    closing.get(end).push(id);
  }
  const ranked = [...spans].sort((a, b) => a[1] - b[1] || b[2] - a[2] || a[0] - b[0]);
  const rank = new Map(ranked.map(([id], n) => [id, n]));
  const boundaries = [...boundarySet].sort((a, b) => a - b);
  const active = new Set();
  const pieces = [];
  for (let k = 0; k < boundaries.length - 1; k++) {
    const left = boundaries[k];
    const right = boundaries[k + 1];
    for (const id of closing.get(left) || []) active.delete(id);
    for (const id of opening.get(left) || []) active.add(id);
    if (right > left) {
      const ids = active.size ? [...active].sort((a, b) => rank.get(a) - rank.get(b)) : [];
      pieces.push({ start: left, end: right, ids });
    }
  }
  return pieces;
}

function markPiece(text, ids, look, seen) {
  let node = document.createTextNode(text);
  if (!ids.length) return node;
  const idsAttr = ids.join(" ");
  for (let k = ids.length - 1; k >= 0; k--) {
    const id = ids[k];
    const [colour, multi, strong, proposed] = look.get(id);
    const mark = document.createElement("mark");
    mark.className = (multi ? "q multi" : "q") + (proposed ? " proposed" : "");
    if (!seen.has(id)) mark.id = `quote-${id}`;
    mark.dataset.quoteId = String(id);
    mark.dataset.quoteIds = idsAttr;
    mark.style.setProperty("--c", colour);
    mark.style.setProperty("--u", strong);
    mark.append(node);
    node = mark;
  }
  for (const id of ids) seen.add(id);
  return node;
}

// "1:05" or "1:02:05", as interviews/recordings.py format_ms.
function formatTime(ms) {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

// quotes: [{id, start, end, themes}] with start/end in UTF-16 units; blocks likewise.
export function renderTranscript(root, { text, blocks, quotes, themes }) {
  const byId = new Map(quotes.map((q) => [q.id, q]));
  const look = new Map();
  for (const quote of quotes) {
    const first = themes.get(quote.themes[0]);
    look.set(quote.id, [
      first ? first.colour : "#bdbdbd",
      quote.themes.length > 1,
      first ? first.strong || first.colour : "#757575",
      Boolean(first && first.proposed),
    ]);
  }
  const cuts = [];
  for (const block of blocks) cuts.push(block.start, block.end);
  const pieces = sweep(
    text.length,
    quotes.map((q) => [q.id, q.start, q.end]),
    cuts,
  );
  const fragment = document.createDocumentFragment();
  const seen = new Set();
  let b = 0;
  let blockEl = null;
  let stripeThemes = null;
  let gap = [];
  let gapText = "";

  const closeBlock = () => {
    if (!blockEl) return;
    const holder = blockEl.firstChild;
    for (const themeId of stripeThemes) {
      const stripe = document.createElement("span");
      const theme = themes.get(themeId);
      stripe.className = theme.proposed ? "stripe proposed" : "stripe";
      stripe.style.setProperty("--c", theme.strong || theme.colour);
      holder.append(stripe);
    }
    fragment.append(blockEl);
    blockEl = null;
  };
  const flushGap = () => {
    if (!gap.length) return;
    if (SPACE_ONLY.test(gapText)) fragment.append(...gap);
    else {
      const div = document.createElement("div");
      // The "P01: " opening a turn: hidden (the margin shows the speaker), kept as text.
      div.className = SPEAKER_LABEL_GAP.test(gapText) ? "gap speaker-label" : "gap";
      div.append(...gap);
      fragment.append(div);
    }
    gap = [];
    gapText = "";
  };
  const openBlock = (block) => {
    blockEl = document.createElement("div");
    blockEl.className = block.kind + (block.interviewer ? " interviewer" : "");
    blockEl.dataset.speaker = block.speaker;
    if (block.turn !== null && block.turn !== undefined) blockEl.dataset.turn = String(block.turn);
    const holder = document.createElement("span");
    holder.className = "turn-stripes";
    holder.setAttribute("aria-hidden", "true");
    blockEl.append(holder);
    if (block.startedAtMs !== null && block.startedAtMs !== undefined) {
      // As coding/markup.py: an empty button (its time is CSS content), text unchanged.
      const seconds = String(block.startedAtMs / 1000);
      const time = formatTime(block.startedAtMs);
      blockEl.dataset.start = seconds;
      const play = document.createElement("button");
      play.type = "button";
      play.className = "turn-play";
      play.dataset.start = seconds;
      play.dataset.time = time;
      play.setAttribute("aria-label", `Play from ${time}`);
      blockEl.append(play);
    }
    stripeThemes = new Set();
  };

  for (const piece of pieces) {
    while (b < blocks.length && piece.start >= blocks[b].end) {
      closeBlock();
      b++;
    }
    const pieceText = text.slice(piece.start, piece.end);
    const node = markPiece(pieceText, piece.ids, look, seen);
    if (b < blocks.length && blocks[b].start <= piece.start) {
      flushGap();
      if (!blockEl) openBlock(blocks[b]);
      blockEl.append(node);
      for (const id of piece.ids) {
        for (const themeId of byId.get(id).themes) stripeThemes.add(themeId);
      }
    } else {
      closeBlock();
      gap.push(node);
      gapText += pieceText;
    }
  }
  closeBlock();
  flushGap();
  root.replaceChildren(fragment);
}

// Re-render one block in place (its text, marks and coarse stripes), for an edit whose
// quotes all lie inside it: the rest of the transcript is not touched. `blockEl` is the
// block's element; `quotes` as for renderTranscript (those outside the block are
// ignored). Returns the new element.
export function renderBlockInPlace(blockEl, block, { text, quotes, themes }) {
  const inside = quotes.filter((q) => q.start < block.end && block.start < q.end);
  const shell = document.createElement("div");
  const at = block.start;
  renderTranscript(shell, {
    text: text.slice(at, block.end),
    blocks: [{ ...block, start: 0, end: block.end - at }],
    themes,
    quotes: inside.map((q) => ({
      ...q,
      start: Math.max(q.start, at) - at,
      end: Math.min(q.end, block.end) - at,
    })),
  });
  const fresh = [...shell.children].find((child) => child.firstElementChild?.classList.contains("turn-stripes"));
  if (!fresh) return null;
  // Anchors (#quote-N) belong to a quote's first piece: one that starts in an earlier
  // block keeps its anchor there.
  for (const q of inside) {
    if (q.start < block.start) fresh.querySelector(`#quote-${q.id}`)?.removeAttribute("id");
  }
  blockEl.replaceWith(fresh);
  return fresh;
}

function excerpt(text) {
  const flat = text.split(/\s+/).filter(Boolean).join(" ");
  return flat.length <= 140 ? flat : `${flat.slice(0, 139)}…`;
}

// The side panel: quotes grouped by theme, in codebook order (`themeOrder`).
export function renderPanel(panel, { quotes, themes, themeOrder, coderName, quoteText }) {
  const groups = new Map();
  const loose = [];
  for (const quote of quotes) {
    if (!quote.themes.length) loose.push(quote);
    for (const themeId of quote.themes) {
      if (!groups.has(themeId)) groups.set(themeId, []);
      groups.get(themeId).push(quote);
    }
  }
  const fragment = document.createDocumentFragment();
  const ordered = themeOrder.filter((id) => groups.has(id)).map((id) => [themes.get(id), groups.get(id)]);
  if (loose.length) ordered.push([{ path: "No theme", colour: "#bdbdbd" }, loose]);
  ordered.forEach(([theme, items], n) => {
    const section = document.createElement("section");
    section.className = "group";
    section.setAttribute("aria-labelledby", `group-${n}`);
    const heading = document.createElement("h3");
    heading.id = `group-${n}`;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = theme.colour;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = `(${items.length})`;
    heading.append(swatch, ` ${theme.path} `, count);
    const list = document.createElement("ul");
    for (const quote of items) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `#quote-${quote.id}`;
      link.dataset.quoteId = String(quote.id);
      link.textContent = excerpt(quoteText(quote));
      const by = document.createElement("span");
      by.className = "by";
      by.textContent = coderName(quote);
      item.append(link, " ", by);
      list.append(item);
    }
    section.append(heading, list);
    fragment.append(section);
  });
  if (!ordered.length) {
    const empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = "No quotes to show.";
    fragment.append(empty);
  }
  panel.replaceChildren(fragment);
}

// Margin stripes, drawn per block and only for blocks near the viewport (blocks use
// content-visibility: auto, so reading the position of a mark far off screen would
// force its layout). One column per theme (`columns`: theme id -> column), one stripe
// per (quote, theme) from the top of the quote's first piece in the block to the
// bottom of its last. All reads, then all writes.
export function drawBlockStripes(block, { quotes, themes, columns }) {
  const holder = block.firstElementChild;
  if (!holder || !holder.classList.contains("turn-stripes")) return 0;
  const first = new Map();
  const last = new Map();
  for (const mark of block.querySelectorAll("mark[data-quote-id]")) {
    const id = Number(mark.dataset.quoteId);
    if (!first.has(id)) first.set(id, mark);
    last.set(id, mark);
  }
  const origin = block.getBoundingClientRect().top;
  const boxes = [];
  for (const [id, a] of first) {
    const quote = quotes.get(id);
    if (!quote) continue;
    const top = a.getBoundingClientRect().top - origin;
    const z = last.get(id).getBoundingClientRect();
    const bottom = (z.height ? z.bottom : a.getBoundingClientRect().bottom) - origin;
    boxes.push([quote, top, Math.max(bottom - top, 4)]);
  }
  const stripes = [];
  // Names beside the stripes when the margin has room for them (up to six columns at
  // 15 px); a stripe too short for its name gets a short label (the name's initials).
  const room = holder.getBoundingClientRect().width;
  const named = columns.size <= NAMED_COLUMNS && room >= Math.max(30, columns.size * NAMED_STEP);
  const step = named ? NAMED_STEP : 6;
  for (const [quote, top, height] of boxes) {
    for (const themeId of quote.themes) {
      const theme = themes.get(themeId);
      if (!theme || !columns.has(themeId)) continue;
      const stripe = document.createElement("span");
      if (named && height >= 14) {
        const name = document.createElement("span");
        name.className = "stripe-name";
        // CSS content, not text: the text of #transcript stays exactly the transcript's.
        name.dataset.name = height >= theme.name.length * 6.5 + 6 ? theme.name : shortLabel(theme.name);
        stripe.append(name);
      }
      stripe.className = theme.proposed ? "stripe proposed" : "stripe";
      stripe.dataset.quote = String(quote.id);
      stripe.id = `stripe-${quote.id}-${themeId}`;
      stripe.setAttribute("role", "option");
      stripe.setAttribute("aria-selected", "false");
      stripe.title = theme.proposed ? `${theme.path} (proposed)` : theme.path;
      stripe.setAttribute("aria-label", `${stripe.title}: ${excerpt(first.get(quote.id).textContent)}`);
      stripe.style.setProperty("--c", theme.strong || theme.colour);
      stripe.style.top = `${top}px`;
      stripe.style.height = `${height}px`;
      stripe.style.left = `${columns.get(themeId) * step}px`;
      stripes.push(stripe);
    }
  }
  holder.replaceChildren(...stripes);
  holder.dataset.precise = "true";
  // Stripes are one listbox per turn, reached by keyboard (coding/stripe_keys.js): the
  // turn's holder takes focus and its active stripe is aria-activedescendant.
  if (stripes.length) {
    holder.removeAttribute("aria-hidden");
    holder.setAttribute("role", "listbox");
    holder.setAttribute("aria-label", "Coding stripes: arrow keys move, Enter opens the quote");
    if (!holder.hasAttribute("tabindex")) holder.tabIndex = -1;
  } else {
    holder.setAttribute("aria-hidden", "true");
    for (const name of ["role", "aria-label", "tabindex", "aria-activedescendant"]) holder.removeAttribute(name);
  }
  return stripes.length;
}

const NAMED_COLUMNS = 6;
const NAMED_STEP = 15;

// "Blame culture" -> "BC"; "Discharge" -> "Dis": a stripe's label when its name does not fit.
export function shortLabel(name) {
  const words = name.split(/[\s›/-]+/).filter(Boolean);
  if (words.length > 1) return words.slice(0, 3).map((word) => [...word][0].toLocaleUpperCase()).join("");
  return [...name].slice(0, 3).join("");
}

// Theme id -> margin column, for the themes the shown quotes use, in codebook order.
export function stripeColumns(quotes, themeOrder) {
  const used = new Set();
  for (const quote of quotes) for (const id of quote.themes) used.add(id);
  return new Map(themeOrder.filter((id) => used.has(id)).map((id, n) => [id, n]));
}
