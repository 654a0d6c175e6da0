// Upload page: each chosen or dropped file goes up in its own request, with a progress
// bar and its own result. Without this script the form posts all files at once.

const config = JSON.parse(document.getElementById("upload-config").textContent);
const form = document.getElementById("upload-form");
const input = form.querySelector("input[type=file]");
const dropZone = document.getElementById("drop-zone");
const section = document.getElementById("upload-progress");
const list = document.getElementById("upload-list");
const status = document.getElementById("upload-status");
const submit = document.getElementById("upload-submit");
const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const localSystem = form.querySelector("select[name=local_system]");

const queue = [];
let busy = false;
let done = 0;
let total = 0;
let refused = 0;

for (const element of form.querySelectorAll(".js-only")) element.hidden = false;
for (const element of form.querySelectorAll(".no-js")) element.hidden = true;
submit.hidden = true;

function formatSize(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function makeRow(file) {
  const row = document.createElement("li");
  row.className = "waiting";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name;
  const progress = document.createElement("progress");
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", `Upload of ${file.name}`);
  const result = document.createElement("span");
  result.className = "file-result";
  result.textContent = "waiting";
  row.append(name, progress, result);
  list.append(row);
  return { row, progress, result };
}

function announce() {
  const parts = [`${done} of ${total} files done`];
  if (refused) parts.push(`${refused} refused`);
  status.textContent = parts.join(", ") + ".";
}

function showImported(item, body) {
  item.row.className = "imported";
  item.progress.value = 100;
  const who = body.speakers.map((speaker) => speaker.pseudonym).join(", ");
  item.result.textContent = `imported: ${body.turns} turns${who ? `, speakers ${who}` : ""}`;
  if (body.notes.length) item.result.textContent += ` (${body.notes.join("; ")})`;
  if (typeof body.review_url === "string" && body.review_url.startsWith("/")) {
    const link = document.createElement("a");
    link.href = body.review_url;
    link.textContent = "Review speakers";
    item.result.append(" · ", link);
  }
}

function showRefused(item, message) {
  refused += 1;
  item.row.className = "refused";
  item.progress.value = 0;
  item.result.textContent = `refused: ${message}`;
}

function send(item) {
  return new Promise((resolve) => {
    const { file } = item;
    if (file.size > config.maxBytes) {
      showRefused(
        item,
        `${file.name}: is too large (${formatSize(file.size)}; the limit is ${formatSize(config.maxBytes)})`,
      );
      resolve();
      return;
    }
    const data = new FormData();
    data.append("file", file, file.name);
    if (localSystem && localSystem.value) data.append("local_system", localSystem.value);
    const request = new XMLHttpRequest();
    request.open("POST", config.fileUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken);
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    item.result.textContent = "uploading";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) item.progress.value = Math.round((100 * event.loaded) / event.total);
    });
    request.upload.addEventListener("load", () => {
      item.progress.removeAttribute("value"); // indeterminate while the server reads the file
      item.result.textContent = "reading";
    });
    request.addEventListener("load", () => {
      const body = request.response;
      if (request.status === 201 && body && body.id) {
        showImported(item, body);
      } else if (body && typeof body.error === "string") {
        showRefused(item, body.error);
      } else if (request.responseURL && request.responseURL.includes("/accounts/login/")) {
        showRefused(item, `${file.name}: you are logged out: log in again and retry`);
      } else {
        showRefused(item, `${file.name}: the server answered ${request.status}`);
      }
      resolve();
    });
    request.addEventListener("error", () => {
      showRefused(item, `${file.name}: the upload failed (network error)`);
      resolve();
    });
    request.send(data);
  });
}

async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const item = queue.shift();
    await send(item);
    done += 1;
    announce();
  }
  busy = false;
}

function addFiles(files) {
  if (!files || !files.length) return;
  section.hidden = false;
  for (const file of files) {
    queue.push({ file, ...makeRow(file) });
    total += 1;
  }
  announce();
  pump();
}

input.addEventListener("change", () => {
  addFiles(Array.from(input.files));
  input.value = "";
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  addFiles(Array.from(input.files));
  input.value = "";
});

for (const name of ["dragenter", "dragover"]) {
  dropZone.addEventListener(name, (event) => {
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
}
for (const name of ["dragleave", "drop"]) {
  dropZone.addEventListener(name, () => dropZone.classList.remove("dragging"));
}
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  addFiles(Array.from(event.dataTransfer.files));
});
