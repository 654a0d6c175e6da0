// Report pages: drag-and-drop reordering of headline quotes and of themes.
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
