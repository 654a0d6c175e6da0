// Idle sign-out warning and drafts, on pages with unsaved work (aefront/session_timeout.py).
//
// Every textarea marked data-draft="name" keeps what is typed in localStorage, keyed by
// page and name, until its form is submitted; after a sign-out and sign-in the text
// comes back. Two minutes before the idle sign-out, if such a field holds unsaved text,
// a warning offers "Stay signed in", which POSTs to the keepalive endpoint.

const meta = document.querySelector('meta[name="aefront-idle"]');
const PREFIX = "aefront-draft:";

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the warning still works
  }
}

function draftKey(field) {
  const scope = field.dataset.draftScope ? `:${field.dataset.draftScope}` : "";
  return `${PREFIX}${location.pathname}:${field.dataset.draft}${scope}`;
}

// What the server holds for the field: data-saved when a script fills it (the memo of
// the quote in the dialog), else the value the page was served with.
function savedValue(field) {
  return field.dataset.saved ?? field.defaultValue;
}

function isDirty(field) {
  const dialog = field.closest("dialog");
  if (dialog && !dialog.open) return false;
  return field.value.trim() !== "" && field.value !== savedValue(field);
}

// Put back the text kept for this field, if any; true when something was restored.
export function restoreDraft(field) {
  const kept = storage()?.getItem(draftKey(field));
  if (kept === null || kept === undefined || kept === field.value) return false;
  field.value = kept;
  field.dataset.restored = "true";
  return true;
}

// The field's text is saved: stop keeping it.
export function forgetDraft(field) {
  storage()?.removeItem(draftKey(field));
}

function keepDrafts(fields) {
  for (const field of fields) {
    if (!field.dataset.draftScope && restoreDraft(field)) {
      const note = document.createElement("p");
      note.className = "hint draft-restored";
      note.setAttribute("role", "status");
      note.textContent = "Your unsaved text was restored. Save it to keep it.";
      field.before(note);
    }
    field.addEventListener("input", () => {
      const store = storage();
      if (!store) return;
      if (field.value === savedValue(field)) store.removeItem(draftKey(field));
      else store.setItem(draftKey(field), field.value);
    });
    field.form?.addEventListener("submit", () => forgetDraft(field));
  }
}

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function warningBox(onStay) {
  const box = document.createElement("div");
  box.id = "idle-warning";
  box.className = "idle-warning";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", "idle-warning-text");
  box.hidden = true;
  const text = document.createElement("p");
  text.id = "idle-warning-text";
  text.textContent =
    "You will be signed out in 2 minutes without activity. Your unsaved text is kept " +
    "in this browser.";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Stay signed in";
  button.addEventListener("click", onStay);
  box.append(text, button);
  document.body.append(box);
  return { box, text, button };
}

function start() {
  const fields = [...document.querySelectorAll("textarea[data-draft]")];
  if (!meta || fields.length === 0) return;
  keepDrafts(fields);
  const [timeout, lead] = meta.content.split(" ").map(Number);
  const keepalive = meta.dataset.keepalive;
  let timer = null;

  const schedule = (seconds) => {
    clearTimeout(timer);
    timer = setTimeout(warn, Math.max(0, seconds - lead) * 1000);
  };
  const warn = () => {
    if (fields.some(isDirty)) {
      ui.box.hidden = false;
      ui.button.focus();
    } else {
      schedule(lead); // nothing to lose yet: look again later
    }
  };
  const stay = async () => {
    ui.button.disabled = true;
    try {
      const response = await fetch(keepalive, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      ui.box.hidden = true;
      schedule(answer.expires_in);
    } catch {
      ui.text.textContent =
        "You have been signed out. Your unsaved text is kept in this browser: sign in " +
        "again and it will be back.";
    } finally {
      ui.button.disabled = false;
    }
  };
  const ui = warningBox(stay);
  schedule(timeout);
}

start();
