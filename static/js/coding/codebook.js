// The codebook docked beside the transcript: the project's theme tree with colour,
// uses in this transcript and in the project, and each definition behind a toggle.
// A click on a theme, a drop of the selection on it, or its number key (handled by
// coding.js) codes the selected passage with it in one action. Filtered by typing, collapsible; built once with
// createElement/textContent and updated in place, so focus survives a re-render.

const COLLAPSED_KEY = "aefront.codebookCollapsed";

export class Codebook {
  constructor({ section, list, filter, toggle, body, themes, extra, canCode, onCode }) {
    this.section = section;
    this.list = list;
    this.filter = filter;
    this.toggle = toggle;
    this.body = body;
    this.themes = themes; // Map id -> theme (shared with coding.js)
    this.extra = new Map(extra.map((row) => [row.id, row])); // description, depth, uses
    this.canCode = canCode;
    this.onCode = onCode;
    this.rows = new Map(); // theme id -> {li, here, project}
    this.order = [];
    // Project uses come from the server at load; this transcript's part is counted live.
    this.hereAtLoad = null;

    // Keep the transcript's selection when a theme is clicked.
    list.addEventListener("mousedown", (event) => {
      if (event.target.closest("button.cb-code")) event.preventDefault();
    });
    list.addEventListener("click", (event) => {
      const code = event.target.closest("button.cb-code");
      if (code) {
        const theme = this.themes.get(Number(code.dataset.themeId));
        if (theme) this.onCode(theme);
        return;
      }
      const more = event.target.closest("button.cb-def-toggle");
      if (more) {
        const open = more.getAttribute("aria-expanded") !== "true";
        more.setAttribute("aria-expanded", String(open));
        document.getElementById(more.getAttribute("aria-controls")).hidden = !open;
      }
    });
    // Drag-to-code: the transcript's selection dropped on a theme codes it with that theme.
    this.dragging = false;
    const target = (event) => (this.dragging ? event.target.closest?.("button.cb-code") : null);
    list.addEventListener("dragover", (event) => {
      const code = target(event);
      if (!code) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      code.classList.add("drop-target");
    });
    list.addEventListener("dragleave", (event) => target(event)?.classList.remove("drop-target"));
    list.addEventListener("drop", (event) => {
      const code = target(event);
      if (!code) return;
      event.preventDefault();
      code.classList.remove("drop-target");
      this.dragging = false;
      const theme = this.themes.get(Number(code.dataset.themeId));
      if (theme) this.onCode(theme);
    });
    filter.addEventListener("input", () => this.applyFilter());
    toggle.addEventListener("click", () => this.setCollapsed(toggle.getAttribute("aria-expanded") === "true"));
    let collapsed = false;
    try {
      collapsed = localStorage.getItem(COLLAPSED_KEY) === "1";
    } catch {
      collapsed = false;
    }
    this.setCollapsed(collapsed, false);
    section.hidden = false;
  }

  setCollapsed(collapsed, remember = true) {
    this.body.hidden = collapsed;
    this.toggle.setAttribute("aria-expanded", String(!collapsed));
    this.toggle.textContent = collapsed ? "Show codebook" : "Hide codebook";
    if (!remember) return;
    try {
      localStorage.setItem(COLLAPSED_KEY, collapsed ? "1" : "0");
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }

  // Active themes in tree order: the first nine answer to the keys 1-9.
  numbered() {
    return this.order.map((id) => this.themes.get(id)).filter((theme) => theme && theme.active);
  }

  // Builds the list when the set of themes changed, then updates the counts in place.
  update(themeOrder, hereCounts) {
    if (this.hereAtLoad === null) this.hereAtLoad = new Map(hereCounts);
    const key = themeOrder.map((id) => {
      const t = this.themes.get(id);
      return t ? `${id}:${t.path}:${t.colour}:${t.active}:${t.proposed}` : "";
    });
    if (key.join("|") !== this.builtKey) {
      this.build(themeOrder);
      this.builtKey = key.join("|");
    }
    for (const [id, row] of this.rows) {
      const here = hereCounts.get(id) || 0;
      const atLoad = this.hereAtLoad.get(id) || 0;
      const project = Math.max(here, ((this.extra.get(id) || {}).uses || 0) - atLoad + here);
      row.here.textContent = String(here);
      row.project.textContent = String(project);
    }
  }

  build(themeOrder) {
    const focused = document.activeElement && this.list.contains(document.activeElement)
      ? document.activeElement.closest("li")?.dataset.themeId
      : null;
    this.order = themeOrder.filter((id) => this.themes.has(id));
    this.rows.clear();
    const numbers = new Map(this.numbered().slice(0, 9).map((theme, n) => [theme.id, n + 1]));
    const items = [];
    for (const id of this.order) {
      const theme = this.themes.get(id);
      if (!theme.active) continue; // retired themes stay out of pickers
      const extra = this.extra.get(id) || { depth: 0, description: "" };
      const li = document.createElement("li");
      li.className = theme.proposed ? "cb-theme proposed" : "cb-theme";
      li.dataset.themeId = String(id);
      li.dataset.path = theme.path.toLocaleLowerCase();
      li.style.setProperty("--depth", String(extra.depth || 0));
      li.style.setProperty("--c", theme.colour);
      const label = document.createElement(this.canCode ? "button" : "span");
      label.className = "cb-code";
      if (this.canCode) {
        label.type = "button";
        label.dataset.themeId = String(id);
        if (numbers.has(id)) label.setAttribute("aria-keyshortcuts", String(numbers.get(id)));
      }
      if (extra.description) label.title = extra.description;
      const key = document.createElement("span");
      key.className = "cb-key";
      key.textContent = numbers.has(id) && this.canCode ? String(numbers.get(id)) : "";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.className = "cb-name";
      name.textContent = theme.name;
      const parts = [key, swatch, name];
      if (theme.proposed) {
        const tag = document.createElement("span");
        tag.className = "cb-proposed";
        tag.textContent = "proposed";
        parts.push(tag);
      }
      const uses = document.createElement("span");
      uses.className = "cb-uses";
      const here = document.createElement("span");
      const project = document.createElement("span");
      uses.append(here, " here · ", project, " in project");
      parts.push(uses);
      label.append(...parts);
      li.append(label);
      if (extra.description) {
        const toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "cb-def-toggle";
        toggle.textContent = "?";
        toggle.setAttribute("aria-expanded", "false");
        toggle.setAttribute("aria-controls", `cb-def-${id}`);
        toggle.setAttribute("aria-label", `Definition of ${theme.name}`);
        const definition = document.createElement("p");
        definition.id = `cb-def-${id}`;
        definition.className = "cb-def";
        definition.hidden = true;
        definition.textContent = extra.description;
        li.append(toggle, definition);
      }
      this.rows.set(id, { li, here, project });
      items.push(li);
    }
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "The codebook is empty.";
      items.push(li);
    }
    this.list.replaceChildren(...items);
    this.applyFilter();
    if (focused) this.list.querySelector(`li[data-theme-id="${Number(focused)}"] button.cb-code`)?.focus();
  }

  applyFilter() {
    const wanted = this.filter.value.trim().toLocaleLowerCase();
    for (const { li } of this.rows.values()) {
      li.hidden = Boolean(wanted) && !li.dataset.path.includes(wanted);
    }
  }
}
