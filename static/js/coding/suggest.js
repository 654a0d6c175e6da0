// Theme suggestions in the quote dialog. The server ranks the passage against the
// project's coded quotes and theme descriptions on its own machine (never a cloud
// service) and answers the three likeliest themes; each is offered as a button that
// applies it like a theme picked by hand. Also links a saved quote to the passages
// like it.

export class ThemeSuggestions {
  constructor({ box, url, quoteBase, csrfToken, themes, onPick }) {
    this.box = box;
    this.list = box.querySelector("ul");
    this.note = box.querySelector(".hint");
    this.similar = box.querySelector("a.similar");
    this.url = url;
    this.quoteBase = quoteBase;
    this.csrfToken = csrfToken;
    this.themes = themes;
    this.onPick = onPick;
    this.cache = new Map();
    this.asked = 0;
  }

  async show(text, appliedIds, editable, quoteId) {
    this.similar.hidden = !quoteId;
    if (quoteId) this.similar.href = `${this.quoteBase}${quoteId}/similar/`;
    this.box.hidden = !editable || !this.url || !text.trim();
    if (this.box.hidden) return;
    const ask = ++this.asked;
    let answer = this.cache.get(text);
    if (!answer) {
      this.note.textContent = "Finding likely themes…";
      try {
        const response = await fetch(this.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": this.csrfToken() },
          body: JSON.stringify({ text }),
        });
        answer = await response.json();
        if (!response.ok) throw new Error(answer.error || "");
        this.cache.set(text, answer);
      } catch {
        if (ask === this.asked) this.note.textContent = "No suggestions just now.";
        return;
      }
    }
    if (ask !== this.asked) return;
    this.render(answer, appliedIds);
  }

  render(answer, appliedIds) {
    const items = answer.suggestions
      .filter((s) => !appliedIds.has(s.id) && this.themes.has(s.id))
      .map((s) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        const percent = Math.round(s.confidence * 100);
        button.textContent = `${s.path} (${percent}%)`;
        button.setAttribute("aria-label", `Apply suggested theme ${s.path}, confidence ${percent} percent`);
        button.addEventListener("click", () => this.onPick({ theme: this.themes.get(s.id) }));
        li.append(button);
        return li;
      });
    this.list.replaceChildren(...items);
    this.note.textContent = items.length
      ? `Ranked on this server by ${answer.backend_label}.`
      : "No further suggestions.";
  }
}
