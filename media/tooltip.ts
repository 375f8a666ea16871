// The hover tooltip: a title and a few lines, as text, placed beside the pointer and kept inside
// the canvas.

import { clear, el } from './dom';
import type { Described } from './describe';

export class Tooltip {
  readonly el: HTMLElement;

  constructor(private readonly container: HTMLElement) {
    this.el = el('div', { class: 'mt-tooltip', role: 'tooltip' });
    this.el.hidden = true;
  }

  show(d: Described, x: number, y: number): void {
    clear(this.el);
    this.el.append(el('div', { class: 'mt-tip-title' }, d.title));
    for (const line of d.lines.slice(0, 8)) this.el.append(el('div', {}, line));
    this.el.hidden = false;
    const r = this.container.getBoundingClientRect();
    const w = this.el.offsetWidth;
    const h = this.el.offsetHeight;
    const left = x + 14 + w > r.width ? Math.max(0, x - 14 - w) : x + 14;
    const top = y + 16 + h > r.height ? Math.max(0, y - 8 - h) : y + 16;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
