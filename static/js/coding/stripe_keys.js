// The margin stripes by keyboard. All stripes are one Tab stop: each turn's stripes are a
// listbox (drawn by render.drawBlockStripes), and only one of those holds tabindex 0.
// Up/Down move from stripe to stripe, across turns; Home/End go to the turn's first or
// last; Enter or Space opens the quote. Focusing a stripe outlines its passage, as
// hovering does.

const LISTS = ".turn-stripes[role=listbox]";

export class StripeKeys {
  // `draw(block)` draws a block's stripes (returns their count), `outline(id)` outlines a
  // quote's passage (null clears it), `open(id, opener)` opens the quote.
  constructor(root, { draw, outline, open }) {
    this.root = root;
    this.draw = draw;
    this.outline = outline;
    this.open = open;
    root.addEventListener("keydown", (event) => this.onKey(event));
    root.addEventListener("focusin", (event) => this.onFocus(event));
    root.addEventListener("focusout", (event) => {
      if (event.target.matches?.(LISTS)) this.outline(null);
    });
    // A click on a stripe opens its quote without moving focus into the margin.
    root.addEventListener("mousedown", (event) => {
      if (event.target.closest(LISTS)) event.preventDefault();
    });
  }

  // After stripes are drawn or the transcript re-rendered: exactly one list is the Tab stop.
  ensureStop() {
    if (this.root.querySelector(`${LISTS}[tabindex="0"]`)) return;
    const first = this.root.querySelector(LISTS);
    if (first) first.tabIndex = 0;
  }

  onFocus(event) {
    const list = event.target;
    if (!list.matches?.(LISTS)) return;
    const active = list.querySelector('.stripe[aria-selected="true"]');
    this.activate(list, active || ordered(list)[0]);
  }

  onKey(event) {
    const list = event.target;
    if (!list.matches?.(LISTS) || event.altKey || event.ctrlKey || event.metaKey) return;
    const stripes = ordered(list);
    const at = stripes.findIndex((stripe) => stripe.getAttribute("aria-selected") === "true");
    let next = null;
    if (event.key === "ArrowDown" || event.key === "ArrowRight") {
      next = stripes[at + 1] || this.neighbour(list, 1);
    } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
      next = at > 0 ? stripes[at - 1] : this.neighbour(list, -1);
    } else if (event.key === "Home") next = stripes[0];
    else if (event.key === "End") next = stripes[stripes.length - 1];
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (stripes[at]) this.open(Number(stripes[at].dataset.quote), list);
      return;
    } else return;
    event.preventDefault();
    if (next) this.activate(next.closest(LISTS), next);
  }

  // The first (step 1) or last (step -1) stripe of the nearest coded turn that way,
  // drawing that turn's stripes first if it has not come into view yet.
  neighbour(list, step) {
    let block = list.parentElement;
    for (;;) {
      block = step > 0 ? block.nextElementSibling : block.previousElementSibling;
      if (!block) return null;
      const holder = block.firstElementChild;
      if (!holder?.classList.contains("turn-stripes")) continue;
      if (!holder.matches(LISTS) && !holder.dataset.precise) this.draw(block);
      if (!holder.matches(LISTS)) continue;
      const stripes = ordered(holder);
      return step > 0 ? stripes[0] : stripes[stripes.length - 1];
    }
  }

  activate(list, stripe) {
    if (!stripe) return;
    for (const other of this.root.querySelectorAll(`${LISTS}[tabindex="0"]`)) {
      if (other !== list) other.tabIndex = -1;
    }
    list.tabIndex = 0;
    for (const old of this.root.querySelectorAll('.stripe[aria-selected="true"]')) {
      if (old !== stripe) old.setAttribute("aria-selected", "false");
    }
    stripe.setAttribute("aria-selected", "true");
    list.setAttribute("aria-activedescendant", stripe.id);
    if (document.activeElement !== list) list.focus({ preventScroll: false });
    stripe.scrollIntoView({ block: "nearest" });
    this.outline(stripe.dataset.quote);
  }
}

// A list's stripes from top to bottom, then left to right (their margin column).
function ordered(list) {
  const place = (stripe) => [parseFloat(stripe.style.top) || 0, parseFloat(stripe.style.left) || 0];
  return [...list.querySelectorAll(".stripe[data-quote]")].sort((a, b) => {
    const [at, al] = place(a);
    const [bt, bl] = place(b);
    return at - bt || al - bl;
  });
}
