// Report pages: drag-and-drop reordering of headline quotes and of themes, actions and
// quote filters in place.
// Without this script the Up/Down buttons do the same through plain form posts; with it,
// items can also be dragged, and "Save this order" posts the new order (the hidden
// inputs inside each item travel with it, so the form carries the order as shown).

function enableDragging(list) {
  const form = list.closest("form");
  const save = form ? form.querySelector(".save-order") : null;
  let dragged = null;

  for (const item of list.querySelectorAll("li[data-id]")) {
    item.draggable = true;
    item.addEventListener("dragstart", (event) => {
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.id);
    });
    item.addEventListener("dragend", () => {
      item.classList.remove("dragging");
      dragged = null;
    });
  }

  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const target = event.target.closest("li[data-id]");
    if (!target || target === dragged) return;
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    target.parentNode.insertBefore(dragged, after ? target.nextSibling : target);
  });

  list.addEventListener("drop", (event) => {
    event.preventDefault();
    if (save) {
      save.hidden = false;
      save.focus();
    }
  });
}

for (const list of document.querySelectorAll("[data-sortable]")) {
  enableDragging(list);
}

// The theme workspace in place: a form marked data-inplace is posted with fetch, and the
// server answers with the fragments the action changed (coding/report/_fragments.html),
// each an element whose id names the element it replaces. Without this script the same
// forms post and redirect back. The status line says what was saved, or why not.

const status = document.getElementById("workspace-status");
if (status) status.tabIndex = -1; // focus lands here when the pressed button is gone

function say(text, failed) {
  if (!status) return;
  status.textContent = text;
  status.className = failed ? "error" : "saved";
}

function swap(html) {
  // Parsed as a document of its own (escaped by the server's templates), then moved in.
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const fresh of [...parsed.body.children]) {
    if (!fresh.id) continue;
    if (fresh.id === "workspace-status") {
      say(fresh.textContent, fresh.classList.contains("error"));
      continue;
    }
    const old = document.getElementById(fresh.id);
    if (!old) continue;
    old.replaceWith(fresh);
    const lists = fresh.matches("[data-sortable]") ? [fresh] : fresh.querySelectorAll("[data-sortable]");
    for (const list of lists) enableDragging(list);
  }
  showInsertButtons();
}

async function postInPlace(form, submitter) {
  const body = new FormData(form, submitter);
  const key = submitter ? submitter.dataset.key : null;
  form.setAttribute("aria-busy", "true");
  say("Saving…", false);
  let response;
  try {
    // getAttribute: buttons named "action" shadow the form's .action property.
    response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body,
      headers: { "X-Fragment": "workspace" },
      credentials: "same-origin",
    });
  } catch {
    say("Not saved: the server could not be reached. Try again.", true);
    form.removeAttribute("aria-busy");
    return;
  }
  form.removeAttribute("aria-busy");
  if (response.status === 409 && form.id === "narrative-form") {
    form.submit(); // the conflict page shows both texts side by side
    return;
  }
  if (response.headers.get("X-Fragment") !== "workspace") {
    say(`Not saved: the server answered ${response.status}. Reload the page and try again.`, true);
    return;
  }
  swap(await response.text());
  if (form.id === "narrative-form" && response.ok) {
    document.getElementById("narrative-dirty").hidden = true;
  }
  const again = key ? document.querySelector(`[data-key="${key}"]`) : null;
  if (again && !again.disabled) again.focus();
  else if (status && submitter && !submitter.isConnected) status.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-inplace")) return;
  event.preventDefault();
  postInPlace(form, event.submitter);
});

// The narrative: an "unsaved changes" mark, and quotes inserted inline at the cursor.
const narrative = document.querySelector("#narrative-form textarea");

function insertToken(text) {
  if (!narrative) return;
  const start = narrative.selectionStart ?? narrative.value.length;
  const end = narrative.selectionEnd ?? start;
  narrative.setRangeText(text, start, end, "end");
  narrative.dispatchEvent(new Event("input", { bubbles: true }));
  narrative.focus();
}

function showInsertButtons() {
  if (!narrative) return;
  for (const button of document.querySelectorAll(".insert-quote")) button.hidden = false;
}

if (narrative) {
  narrative.addEventListener("input", () => {
    document.getElementById("narrative-dirty").hidden = false;
  });
  const insert = document.querySelector(".inline-insert");
  if (insert && insert.querySelector("option")) insert.hidden = false;
  document.getElementById("inline-insert")?.addEventListener("click", () => {
    insertToken(document.getElementById("inline-quote").value);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".insert-quote");
    if (button) insertToken(button.dataset.token);
  });
  showInsertButtons();
}

// The theme page's quote filters and pager in place: the GET form (data-inplace-get) and
// the pager's links fetch the quote list alone (X-Fragment) and put it in place of the
// page's; the address follows (history.replaceState), so the view can be reloaded or
// shared. Without this script the form and the links load the page as before.

const shown = document.getElementById("quotes-status");
const filters = document.querySelector("form[data-inplace-get]");

function showFilters(params) {
  // The form shows what the list shows (a link may have changed the filters).
  if (!filters) return;
  for (const field of filters.elements) {
    if (!field.name) continue;
    field.value = params.get(field.name) ?? "";
    if (field instanceof HTMLSelectElement && field.selectedIndex < 0) field.selectedIndex = 0;
  }
}

async function showQuotes(query, focusKey) {
  const url = `${location.pathname}${query ? `?${query}` : ""}`;
  const results = document.getElementById("quote-results");
  results.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(url, { headers: { "X-Fragment": "workspace" }, credentials: "same-origin" });
  } catch {
    response = null;
  }
  results.removeAttribute("aria-busy");
  if (!response || response.headers.get("X-Fragment") !== "workspace") {
    location.assign(`${url}#quotes`); // let the page say what went wrong
    return;
  }
  swap(await response.text());
  history.replaceState(null, "", `${url}#quotes`);
  showFilters(new URLSearchParams(query));
  const fresh = document.getElementById("quotes-shown");
  if (shown) shown.textContent = fresh && fresh.textContent.trim() ? fresh.textContent : "Quotes updated.";
  const again = focusKey ? document.querySelector(`[data-key="${focusKey}"]`) : null;
  if (again) again.focus();
}

if (filters && document.getElementById("quote-results")) {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-inplace-get")) return;
    event.preventDefault();
    const query = new URLSearchParams(new FormData(form));
    for (const [name, value] of [...query]) if (!value) query.delete(name);
    showQuotes(query.toString(), "show-quotes");
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-inplace-get]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    showQuotes(new URL(link.href).searchParams.toString(), link.dataset.key);
  });
}
