// A report page: "3 new quotes in this theme (or project) since you opened it", with a
// refresh (the theme page and the summary page; data-what says which).
// The project's stream (coding/live.py) says that some quote changed; the count comes
// from the permission-checked JSON endpoint, which applies the blind rule. Without a
// stream (no ASGI server) the page shows no notice: a reload shows the new quotes.

const notice = document.getElementById("live-notice");
if (notice && typeof EventSource !== "undefined") {
  const since = notice.dataset.since;
  let busy = false;
  let again = false;

  async function count() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch(`${notice.dataset.count}?since=${encodeURIComponent(since)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Aefront-Background": "live" },
      });
      if (response.ok) show((await response.json()).new);
    } catch {
      // The next event asks again.
    } finally {
      busy = false;
      if (again) {
        again = false;
        count();
      }
    }
  }

  function show(n) {
    if (!n) return;
    const link = document.createElement("a");
    link.href = location.pathname + location.search;
    link.textContent = "Refresh to see them";
    const where = notice.dataset.what || "in this theme";
    notice.replaceChildren(`${n} new quote${n === 1 ? "" : "s"} ${where} since you opened it. `, link);
    notice.hidden = false;
  }

  const source = new EventSource(notice.dataset.stream);
  source.addEventListener("quote", count);
  source.addEventListener("hello", count); // whatever came between the page and the stream
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) source.close();
  });
}
