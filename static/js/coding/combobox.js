// The "Theme" combobox (ARIA 1.2 combobox with a listbox popup).
//
// Typing filters the project's active themes by their "Parent › Child" path;
// recently used themes come first; ↑/↓ move the highlighted option and Enter applies
// it. A name that matches no theme offers "Create …" when the user may propose themes.

const RECENT_LIMIT = 12;

export class ThemePicker {
  constructor({ input, listbox, themes, themeOrder, canPropose, storageKey, onPick }) {
    this.input = input;
    this.listbox = listbox;
    this.themes = themes; // Map id -> theme
    this.themeOrder = themeOrder; // ids in codebook order
    this.canPropose = canPropose;
    this.storageKey = storageKey;
    this.onPick = onPick;
    this.exclude = new Set();
    this.options = [];
    this.active = -1;
    this.busy = false;
    input.addEventListener("input", () => this.update());
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

  update() {
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
    this.busy = true;
    try {
      const ok = await this.onPick(option.theme ? { theme: option.theme } : { newName: option.newName });
      if (ok) {
        this.input.value = "";
        this.update();
      }
    } finally {
      this.busy = false;
    }
  }
}
