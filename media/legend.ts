// What the colours mean, in the toolbar: thread states, a thread's lock lane (as Tracy colours
// it), and the holder of a mutex. The swatches take the theme's colours and follow a theme change.

import { el } from './dom';
import type { Theme } from './theme';
import { groupColor } from './renderLanes';

type Item = [string, (t: Theme) => string, string];

const ITEMS: Item[] = [
  ['running', (t) => t.state[0], 'thread state'],
  ['runnable', (t) => t.state[1], 'thread state: ready, waiting for a CPU'],
  ['blocked', (t) => t.state[2], 'thread state: waiting for a mutex, condition or semaphore'],
  ['sleeping', (t) => t.state[3], 'thread state'],
  ['io', (t) => t.state[4], 'thread state: sending'],
  ['stopped', (t) => t.state[5], 'thread state: a paused vCPU'],
  ['lock held', (t) => t.lock[0], 'a thread\u2019s lock lane: held, nobody waits'],
  ['held, others wait', (t) => t.lock[1], 'a thread\u2019s lock lane: held while another thread waits for it'],
  ['waiting', (t) => t.lock[2], 'a thread\u2019s lock lane: waiting to take it'],
  ['held by migration', (t) => groupColor(t, 'migration'), 'a mutex lane: the holder'],
  ['main loop', (t) => groupColor(t, 'main'), 'a mutex lane: the holder'],
  ['vCPU', (t) => groupColor(t, 'vcpu'), 'a mutex lane: the holder'],
];

export class Legend {
  readonly el: HTMLElement;
  private readonly swatches: HTMLElement[] = [];

  constructor(theme: Theme) {
    this.el = el('div', { class: 'mt-legend', 'aria-label': 'colours' });
    for (const [name, , title] of ITEMS) {
      const sw = el('span', { class: 'mt-swatch', 'aria-hidden': 'true' });
      this.swatches.push(sw);
      this.el.append(el('span', { class: 'mt-legend-item', title }, sw, name));
    }
    this.update(theme);
  }

  update(theme: Theme): void {
    ITEMS.forEach(([, color], i) => {
      this.swatches[i].style.background = color(theme);
    });
  }
}
