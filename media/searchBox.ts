// The toolbar: a search box with its results (threads, functions, locks), the zoom buttons and
// the keys. Enter takes the first result; for a function, Enter again steps to its next call.

import { clear, el } from './dom';
import { nextCall, search, type SearchResult } from './search';
import type { TimelineView } from './view';
import { showHelp } from './help';
import { LABEL_W } from './layout';

export class SearchBox {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private results: SearchResult[] = [];
  private active: SearchResult | null = null;
  private cursor = 0;

  constructor(private readonly v: TimelineView) {
    this.input = el('input', { class: 'mt-search', type: 'search', placeholder: 'Search threads, functions, locks (/)', 'aria-label': 'search threads, functions and locks', spellcheck: 'false' });
    this.list = el('ul', { class: 'mt-results', role: 'listbox', 'aria-label': 'search results' });
    this.list.hidden = true;
    const btn = (label: string, title: string, f: () => void) => {
      const b = el('button', { type: 'button', title, 'aria-label': title }, label);
      b.addEventListener('click', f);
      return b;
    };
    const center = () => LABEL_W + v.trackW / 2;
    this.el = el('div', { class: 'mt-toolbar' },
      el('div', { class: 'mt-search-wrap' }, this.input, this.list),
      btn('+', 'zoom in (W)', () => v.zoomAt(0.5, center())),
      btn('−', 'zoom out (S)', () => v.zoomAt(2, center())),
      btn('Fit', 'the whole run (0)', () => v.fit()),
      btn('?', 'keys', () => showHelp(v.root)),
    );
    this.input.addEventListener('input', () => this.update());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        if (this.active && this.active.kind === 'function' && this.input.value === this.activeQuery) this.stepCall();
        else if (this.results[0]) this.choose(this.results[0]);
      } else if (e.key === 'Escape') {
        this.input.value = '';
        this.update();
        v.wrap.focus();
      } else if (e.key === 'ArrowDown') {
        (this.list.querySelector('button') as HTMLButtonElement | null)?.focus();
        e.preventDefault();
      }
    });
  }

  private activeQuery = '';

  private update(): void {
    this.results = search(this.v.models, this.input.value);
    clear(this.list);
    this.list.hidden = this.results.length === 0 && this.input.value.trim() === '';
    if (this.input.value.trim() !== '' && this.results.length === 0) this.list.append(el('li', { class: 'mt-muted' }, 'no thread, function or lock matches'));
    for (const r of this.results) {
      const b = el('button', { type: 'button', role: 'option', 'data-kind': r.kind }, r.label, r.count > 0 ? el('span', { class: 'mt-muted' }, ` ${r.count.toLocaleString('en-US')} ${r.kind === 'function' ? 'calls' : 'holds'}`) : null);
      b.addEventListener('click', () => this.choose(r));
      this.list.append(el('li', {}, b));
    }
    if (this.input.value.trim() === '') {
      this.active = null;
      this.v.scene.highlightFns = null;
      this.v.invalidate();
    }
  }

  private choose(r: SearchResult): void {
    this.active = r;
    this.activeQuery = this.input.value;
    this.list.hidden = true;
    const v = this.v;
    if (r.kind === 'thread') {
      const lane = v.scene.lanes.find((l) => l.trace === r.trace && l.kind === 'thread' && l.tid === r.id);
      if (!lane) {
        // in a collapsed group: open it
        const g = v.scene.lanes.find((l) => l.trace === r.trace && (l.kind === 'summary' || l.kind === 'side') && l.tids?.includes(r.id));
        if (g) {
          const key = g.kind === 'summary' ? g.key.replace(/\/summary$/, '') : g.key;
          if (v.toggles.has(key)) v.toggles.delete(key);
          else v.toggles.add(key);
          v.relayout();
        }
      }
      v.revealLane(`${r.trace}/t/${r.id}`);
      v.scene.selectedKey = `${r.trace}/t/${r.id}`;
      v.announce(`thread ${r.label}`);
    } else if (r.kind === 'lock') {
      v.revealLane(`${r.trace}/mutex/${r.id}`);
      v.scene.selectedKey = `${r.trace}/mutex/${r.id}`;
      v.announce(r.label);
    } else {
      v.scene.highlightFns = v.models.map((m) => new Set(m.index === r.trace ? [r.id] : []));
      this.cursor = -Infinity;
      this.stepCall();
    }
    v.invalidate();
  }

  /** Zooms to the next call of the active function after the last one shown. */
  private stepCall(): void {
    const r = this.active;
    if (!r || r.kind !== 'function') return;
    const m = this.v.models[r.trace];
    let c = nextCall(m, r.id, this.cursor === -Infinity ? -Infinity : this.cursor);
    if (c === null) c = nextCall(m, r.id, -Infinity);
    if (c === null) return;
    this.cursor = c.start;
    const a = c.start - m.t0;
    const b = c.end - m.t0;
    const w = Math.max(b - a, 1000) * 4;
    this.v.setView(a - w / 4, a - w / 4 + w);
    const key = `${r.trace}/t/${c.tid}`;
    const lane = this.v.scene.lanes.find((l) => l.key === key);
    if (lane && !lane.frames) {
      if (this.v.toggles.has(key)) this.v.toggles.delete(key);
      else this.v.toggles.add(key);
      this.v.relayout();
    }
    this.v.revealLane(key);
    this.v.announce(`${m.fnName(r.id)} in ${m.threadName(c.tid)} at ${(a / 1e9).toFixed(6)} s`);
  }
}
