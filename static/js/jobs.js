// The jobs page: polls the status of this member's jobs once a second while any is
// waiting or running, and updates each row in place (progress, state, file).
const table = document.querySelector("table.jobs[data-status-url]");

function stateText(job) {
  const parts = [job.state_label];
  if (job.total) parts.push(`${job.done} of ${job.total}`);
  if (job.step) parts.push(job.step);
  return parts;
}

function update(row, job) {
  row.querySelector("progress").value = job.percent;
  const state = row.querySelector('[data-part="state"]');
  const [label, ...rest] = stateText(job);
  const strong = document.createElement("strong");
  strong.textContent = label;
  state.replaceChildren(strong, rest.length ? ` · ${rest.join(" · ")}` : "");
  row.querySelector('[data-part="error"]').textContent = job.error;
  row.querySelector('[data-part="summary"]').textContent = job.summary;
  const link = row.querySelector('[data-part="download"]');
  if (job.download) {
    link.href = job.download;
    link.hidden = false;
  }
  const wasActive = row.dataset.active === "1";
  row.dataset.active = job.active ? "1" : "0";
  if (wasActive && !job.active) row.querySelector('form[action$="/cancel/"]')?.remove();
  return wasActive && !job.active && job.state !== "done";
}

async function poll() {
  const active = table.querySelectorAll('tr[data-active="1"]');
  if (!active.length) return;
  try {
    const response = await fetch(table.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const { jobs } = await response.json();
      let reload = false;
      for (const job of jobs) {
        const row = document.getElementById(`job-${job.id}`);
        if (row) reload = update(row, job) || reload;
      }
      if (reload) return window.location.reload(); // to offer Retry
    }
  } catch {
    // offline for a moment: try again on the next tick
  }
  window.setTimeout(poll, 1000);
}

if (table) window.setTimeout(poll, 1000);
