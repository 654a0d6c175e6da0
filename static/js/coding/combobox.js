// The "Theme" combobox (ARIA 1.2 combobox with a listbox popup).
//
// Typing filters the project's active themes by their "Parent › Child" path;
// recently used themes come first; ↑/↓ move the highlighted option and Enter applies
// it. A name that matches no theme offers "Create …" when the user may propose themes;
// choosing it asks once more ("Propose new theme …?"), with close existing names
// offered first (and highlighted), so a typo and Enter never make a theme.

const RECENT_LIMIT = 12;
const CLOSE_LIMIT = 3;

// Optimal string alignment distance: edits, with a swap of two neighbours as one.
export function editDistance(a, b) {
  const rows = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0][j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

// Existing active themes whose name (or its start) is a few edits from `name`.
export function closeThemes(name, themes) {
  const q = name.trim().toLocaleLowerCase();
  const limit = q.length <= 4 ? 1 : q.length <= 8 ? 2 : 3;
  const scored = [];
  for (const theme of themes) {
    if (!theme.active) continue;
    const full = theme.name.toLocaleLowerCase();
    const distance = Math.min(editDistance(q, full), editDistance(q, full.slice(0, q.length)));
    if (distance <= limit) scored.push([distance, theme]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].path.localeCompare(b[1].path));
  return scored.slice(0, CLOSE_LIMIT).map(([, theme]) => theme);
}

export class ThemePicker {
  constructor({ input, listbox, themes, themeOrder, canPropose, isAdmin, storageKey, onPick }) {
    this.input = input;
    this.listbox = listbox;
    this.themes = themes; // Map id -> theme
    this.themeOrder = themeOrder; // ids in codebook order
    this.canPropose = canPropose;
    this.isAdmin = isAdmin; // an admin's new theme is added, not proposed
    this.confirming = null; // the new name awaiting its second step
    this.storageKey = storageKey;
    this.onPick = onPick;
    this.exclude = new Set();
    this.options = [];
    this.active = -1;
    this.busy = false;
    input.addEventListener("input", () => {
      this.confirming = null;
      this.update();
    });
    input.addEventListener("focus", () => this.update());
    input.addEventListener("keydown", (event) => this.keydown(event));
    listbox.addEventListener("mousedown", (event) => event.preventDefault());
    listbox.addEventListener("click", (event) => {
      const li = event.target.closest("[role=option]");
      if (!li || li.getAttribute("aria-disabled") === "true") return;
      this.choose(Number(li.dataset.index));
    });
  }

  recent() {
    try {
      const ids = JSON.parse(localStorage.getItem(this.storageKey) || "[]");
      return Array.isArray(ids) ? ids.filter((id) => Number.isInteger(id)) : [];
    } catch {
      return [];
    }
  }

  remember(themeId) {
    const ids = [themeId, ...this.recent().filter((id) => id !== themeId)].slice(0, RECENT_LIMIT);
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(ids));
    } catch {
      // Storage full or blocked: recency is a convenience only.
    }
  }

  reset(exclude = new Set()) {
    this.exclude = exclude;
    this.confirming = null;
    this.input.value = "";
    this.update();
  }

  matches(query) {
    const q = query.trim().toLocaleLowerCase();
    const recentRank = new Map(this.recent().map((id, n) => [id, n]));
    const found = [];
    for (const id of this.themeOrder) {
      const theme = this.themes.get(id);
      if (!theme || !theme.active || this.exclude.has(id)) continue;
      if (q && !theme.path.toLocaleLowerCase().includes(q)) continue;
      found.push(theme);
    }
    const position = new Map(this.themeOrder.map((id, n) => [id, n]));
    found.sort((a, b) => {
      const ra = recentRank.has(a.id) ? recentRank.get(a.id) : Infinity;
      const rb = recentRank.has(b.id) ? recentRank.get(b.id) : Infinity;
      if (ra !== rb) return ra - rb;
      return position.get(a.id) - position.get(b.id);
    });
    return found;
  }

  // The second step of a new theme: close names first, then the explicit proposal.
  confirm(name) {
    this.confirming = name;
    const close = closeThemes(
      name,
      this.themeOrder.map((id) => this.themes.get(id)).filter((t) => t && !this.exclude.has(t.id)),
    );
    const verb = this.isAdmin ? "Add" : "Propose";
    this.options = [
      ...close.map((theme) => ({ theme, label: `Did you mean ${theme.path}?` })),
      { newName: name, confirmed: true, label: `${verb} new theme “${name}”?` },
    ];
    this.render("");
    this.setActive(0);
  }

  update() {
    if (this.confirming !== null) return;
    const query = this.input.value.trim();
    const found = this.matches(query).slice(0, 60);
    const recent = new Set(this.recent());
    this.options = found.map((theme) => ({ theme, label: theme.path, recent: recent.has(theme.id) }));
    const exact = [...this.themes.values()].some(
      (t) => t.name.toLocaleLowerCase() === query.toLocaleLowerCase(),
    );
    let note = "";
    if (query && !exact) {
      if (this.canPropose) this.options.push({ newName: query, label: `Create theme “${query}”` });
      else if (!found.length) {
        note = `No theme matches “${query}”. Only an admin can add themes in this project.`;
      }
    }
    this.render(note);
    this.setActive(this.options.length ? 0 : -1);
  }

  render(note) {
    const items = this.options.map((option, n) => {
      const li = document.createElement("li");
      li.id = `${this.listbox.id}-${n}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(n);
      if (option.theme) {
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = option.theme.colour;
        swatch.setAttribute("aria-hidden", "true");
        li.append(swatch, ` ${option.label}`);
        if (this.confirming !== null) li.classList.add("close");
        if (option.theme.proposed) li.append(" (proposed)");
        if (option.recent) li.classList.add("recent");
      } else {
        li.classList.add("create");
        li.textContent = option.label;
      }
      return li;
    });
    if (note) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.className = "none";
      li.textContent = note;
      items.push(li);
    }
    this.listbox.replaceChildren(...items);
    this.input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  setActive(n) {
    const previous = this.listbox.querySelector("[aria-selected=true]");
    if (previous) previous.setAttribute("aria-selected", "false");
    this.active = n;
    if (n < 0) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    const li = this.listbox.children[n];
    li.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
  }

  keydown(event) {
    const count = this.options.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      this.setActive((this.active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      this.setActive((this.active - 1 + count) % count);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (this.active >= 0) this.choose(this.active);
    }
  }

  async choose(n) {
    const option = this.options[n];
    if (!option || this.busy) return;
    if (option.newName && !option.confirmed) {
      this.confirm(option.newName);
      return;
    }
    this.busy = true;
    try {
      const ok = await this.onPick(option.theme ? { theme: option.theme } : { newName: option.newName });
      if (ok) {
        this.confirming = null;
        this.input.value = "";
        this.update();
      }
    } finally {
      this.busy = false;
    }
  }
}
