// Live updates on the coding page: other coders' changes within a second, and who else
// has the transcript open (coding/live.py serves the stream).
//
// An event names a quote that changed; the page then asks the permission-checked JSON
// endpoint what changed since its last look (`poll`, the page's own function, which
// draws the quotes as the page draws its own saves). "reset" (the server could not
// replay what a dropped connection missed) reloads the transcript's quotes (`reload`).
// Only when the stream cannot be opened does the page poll on a timer, and it says so.

const FALLBACK_NOTE = "Live updates are unavailable: this page checks for other coders' changes every";

export function startLive({ urls, user, pollMs, poll, reload, dialog, editingQuote }) {
  let timer = 0;
  function startPolling() {
    clearInterval(timer);
    timer = setInterval(poll, pollMs || 20000);
  }
  if (!urls.live || typeof EventSource === "undefined") {
    startPolling();
    return;
  }
  // One line under the title, with its text from the start: a line that appeared later
  // would move the transcript under the reader's pointer.
  const line = document.createElement("p");
  line.id = "live-status";
  line.className = "live-status";
  line.setAttribute("role", "status");
  const status = document.createElement("span");
  status.textContent = "Live updates connecting…";
  const here = document.createElement("span");
  here.id = "live-presence";
  here.className = "live-presence";
  here.hidden = true;
  line.append(status, here);
  const anchor = document.getElementById("quote-count")?.closest("p") || document.querySelector("main h1");
  anchor?.after(line);

  const others = new Map(); // conn -> {user, editing}
  let source = null;
  let conn = "";
  let lastId = "";
  let opened = false;
  let busy = null;
  let again = false;

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  async function catchUp() {
    // One fetch at a time; events that arrive meanwhile ask for one more.
    if (busy) {
      again = true;
      return;
    }
    if (document.hidden) {
      again = true;
      return;
    }
    busy = poll();
    try {
      await busy;
    } finally {
      busy = null;
      if (again) {
        again = false;
        catchUp();
      }
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && again) {
      again = false;
      catchUp();
    }
  });

  function drawPresence() {
    here.replaceChildren();
    const people = [...others.values()].filter((page) => page.user.id !== user.id || page.conn !== conn);
    here.hidden = people.length === 0;
    if (!people.length) return;
    here.append(" Also here: ");
    people.forEach((page, n) => {
      if (n) here.append(", ");
      const name = document.createElement("strong");
      name.textContent = page.user.name;
      here.append(name);
      const mark = page.editing ? document.getElementById(`quote-${Number(page.editing)}`) : null;
      if (page.editing) {
        here.append(" (editing ");
        if (mark) {
          const link = document.createElement("a");
          link.href = `#quote-${Number(page.editing)}`;
          const words = mark.textContent.trim();
          link.textContent = `“${words.length > 40 ? `${words.slice(0, 40)}…` : words}”`;
          here.append(link);
        } else {
          here.append("a quote");
        }
        here.append(")");
      }
    });
    here.append(".");
  }

  function onPresence(event) {
    const data = JSON.parse(event.data);
    if (data.conn === conn) return;
    if (data.op === "leave") others.delete(data.conn);
    else others.set(data.conn, data);
    drawPresence();
  }

  function open() {
    const url = lastId ? `${urls.live}?last=${encodeURIComponent(lastId)}` : urls.live;
    source = new EventSource(url);
    source.addEventListener("hello", (event) => {
      conn = JSON.parse(event.data).conn;
      lastId = event.lastEventId || lastId;
      others.clear();
      drawPresence();
      clearInterval(timer);
      say("Live: other coders' changes appear here as they save them.");
      // Whatever changed between the page being drawn and the stream opening.
      if (!opened || lastId) catchUp();
      opened = true;
      sendEditing(true);
    });
    source.addEventListener("quote", (event) => {
      if (event.lastEventId) lastId = event.lastEventId;
      const data = JSON.parse(event.data);
      if (data.action === "reset") reload();
      else catchUp();
      sendEditing(); // a quote this user just saved from the open dialog now has an id
    });
    source.addEventListener("presence", onPresence);
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CONNECTING) {
        say("Live updates reconnecting…");
        return;
      }
      // Closed: the server refused the stream (or answered something else).
      source.close();
      others.clear();
      drawPresence();
      startPolling();
      say(`${FALLBACK_NOTE} ${Math.round((pollMs || 20000) / 1000)} s.`);
      if (opened) setTimeout(open, 10000); // it worked before: try again later
    });
  }

  // Which quote this user is editing: the quote dialog open on a saved quote.
  let sentEditing = null;
  function sendEditing(force = false) {
    if (!conn || !urls.presence) return;
    const editing = dialog && dialog.open ? editingQuote() : null;
    if (!force && editing === sentEditing) return;
    sentEditing = editing;
    // The CSRF cookie is HttpOnly: the token comes from the page's form.
    const token = document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    fetch(urls.presence, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "X-Aefront-Background": "presence" },
      body: JSON.stringify({ conn, editing }),
    }).catch(() => {});
  }
  if (dialog) {
    // Opened, closed, or refilled (a new quote's first save gives it an id).
    new MutationObserver(() => sendEditing()).observe(dialog, {
      attributes: true,
      attributeFilter: ["open"],
      childList: true,
      subtree: true,
    });
    dialog.addEventListener("close", () => sendEditing());
  }

  open();
}
