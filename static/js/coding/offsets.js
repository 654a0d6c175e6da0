// Offsets: the DOM counts UTF-16 code units, the server counts code points.
//
// `#transcript` holds exactly the transcript text as its text nodes, so a DOM
// boundary point maps to a UTF-16 offset by counting the text before it. TextIndex
// converts between UTF-16 offsets and code-point offsets with a binary search over
// the positions of surrogate pairs (astral characters such as emoji).

export class TextIndex {
  constructor(text) {
    this.text = text;
    this.pairs = []; // UTF-16 index of the high surrogate of each pair
    for (let i = 0; i < text.length - 1; i++) {
      const high = text.charCodeAt(i);
      if (high >= 0xd800 && high <= 0xdbff) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          this.pairs.push(i);
          i++;
        }
      }
    }
    // Code-point index of each pair: it has `j` pairs before it.
    this.pairCodePoints = this.pairs.map((u, j) => u - j);
    this.codePointLength = text.length - this.pairs.length;
  }

  // Pairs whose value in `array` is < value.
  static countBelow(array, value) {
    let low = 0;
    let high = array.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (array[mid] < value) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // UTF-16 offset -> code points. An offset inside a pair snaps back to its start.
  toCodePoints(u16) {
    let before = TextIndex.countBelow(this.pairs, u16);
    if (before > 0 && this.pairs[before - 1] === u16 - 1) {
      return u16 - 1 - (before - 1);
    }
    return u16 - before;
  }

  // Code points -> UTF-16 offset.
  toUtf16(codePoint) {
    return codePoint + TextIndex.countBelow(this.pairCodePoints, codePoint);
  }

  // The text of [start, end) in code points.
  slice(start, end) {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}

// The UTF-16 offset of a DOM boundary point inside `root`: the length of all text before it.
export function domToUtf16(root, node, offset) {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

// The DOM boundary point (text node, offset) at UTF-16 offset `u16` inside `root`.
export function utf16ToDom(root, u16) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let node = walker.nextNode();
  let last = null;
  while (node) {
    const length = node.data.length;
    if (u16 <= seen + length && length > 0) return { node, offset: u16 - seen };
    seen += length;
    last = node;
    node = walker.nextNode();
  }
  return last ? { node: last, offset: last.data.length } : { node: root, offset: 0 };
}

const SPACE = /\s/;
const WORD = /[\p{L}\p{N}\p{M}]/u;

// Trim whitespace at both edges, widen a partly selected word at either edge to the
// whole word (a drag that starts or ends mid-word means that word), and never split
// a surrogate pair.
export function trimSpan(text, start, end) {
  while (start < end && SPACE.test(text[start])) start++;
  while (end > start && SPACE.test(text[end - 1])) end--;
  if (start < end) {
    while (start > 0 && WORD.test(text[start - 1]) && WORD.test(text[start])) start--;
    while (end < text.length && WORD.test(text[end - 1]) && WORD.test(text[end])) end++;
  }
  const isLow = (i) => {
    const c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff;
  };
  const isHigh = (i) => {
    const c = text.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff;
  };
  if (start > 0 && start < text.length && isLow(start) && isHigh(start - 1)) start--;
  if (end > 0 && end < text.length && isHigh(end - 1) && isLow(end)) end++;
  return [start, end];
}

// The current selection inside `root` as trimmed UTF-16 offsets, or null.
export function selectionUtf16(root, text) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const whole = document.createRange();
  whole.selectNodeContents(root);
  let start;
  let end;
  const startSide = whole.comparePoint(range.startContainer, range.startOffset);
  const endSide = whole.comparePoint(range.endContainer, range.endOffset);
  if (startSide > 0 || endSide < 0) return null; // entirely outside
  start = startSide < 0 ? 0 : domToUtf16(root, range.startContainer, range.startOffset);
  end = endSide > 0 ? text.length : domToUtf16(root, range.endContainer, range.endOffset);
  [start, end] = trimSpan(text, start, end);
  return start < end ? { start, end } : null;
}
