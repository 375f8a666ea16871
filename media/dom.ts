// Building DOM without markup: every string from a trace (thread names, scenario text, hang
// explanations) goes in through textContent, never innerHTML, so it cannot become markup or script.

type Attrs = Record<string, string | number | boolean | undefined>;

/** `<tag class=...>` with attributes set one by one and children appended (strings as text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

/** A table from a header row and rows of cells (text); `numeric` columns are right-aligned. */
export function table(head: string[], rows: (string | number)[][], numeric: number[] = [], caption?: string): HTMLTableElement {
  const t = el('table', { class: 'mt-table' });
  if (caption) t.append(el('caption', { text: caption }));
  const thead = el('thead');
  const tr = el('tr');
  head.forEach((h, i) => tr.append(el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : undefined, text: h })));
  thead.append(tr);
  t.append(thead);
  const tbody = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    r.forEach((c, i) => row.append(el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: numeric.includes(i) ? 'num' : undefined, text: String(c) })));
    tbody.append(row);
  }
  t.append(tbody);
  return t;
}
