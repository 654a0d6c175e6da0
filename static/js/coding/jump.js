// Links from search and auto-coding land at an exact place: #at-START-END (code
// points, as the server counts) selects that stretch of the transcript, scrolls it
// into view and puts the keyboard caret there.

export function jumpToPlace(root, index, utf16ToDom, hash) {
  const found = /^#at-(\d+)-(\d+)$/.exec(hash);
  if (!found) return false;
  const start = Math.min(Number(found[1]), index.codePointLength);
  const end = Math.min(Math.max(Number(found[2]), start), index.codePointLength);
  const from = utf16ToDom(root, index.toUtf16(start));
  const to = utf16ToDom(root, index.toUtf16(end));
  const range = document.createRange();
  range.setStart(from.node, from.offset);
  range.setEnd(to.node, to.offset);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const target = from.node.nodeType === Node.ELEMENT_NODE ? from.node : from.node.parentElement;
  target.scrollIntoView({ block: "center" });
  root.focus({ preventScroll: true });
  return true;
}
