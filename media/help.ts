// The list of keys, as a dialog (Perfetto's "?").

import { el, table } from './dom';

const KEYS: [string, string][] = [
  ['W / S', 'zoom in / out (hold), at the pointer'],
  ['A / D', 'pan left / right (hold)'],
  ['ctrl + wheel', 'zoom at the pointer'],
  ['wheel', 'scroll the lanes; shift + wheel pans'],
  ['drag the ruler, shift + drag', 'pan'],
  ['drag across lanes', 'select a range: lock and state totals below'],
  ['click', 'select: details, "Replay to here"; seeks a running debug session'],
  ['double click, F', 'zoom to the span (or the range)'],
  ['↑ / ↓', 'move between lanes'],
  ['Enter / Space', 'expand or collapse the focused lane (groups, a thread\u2019s frames)'],
  ['R', 'replay to the selected time (starts a migtrace debug session)'],
  ['0 / Home', 'the whole run'],
  ['/', 'search threads, functions, locks'],
  ['Escape', 'clear the selection'],
];

export function showHelp(root: HTMLElement): void {
  const old = root.querySelector('dialog.mt-help') as HTMLDialogElement | null;
  if (old) {
    old.close();
    old.remove();
    return;
  }
  const close = el('button', { type: 'button' }, 'Close');
  const d = el('dialog', { class: 'mt-help', 'aria-label': 'keys' }, el('h3', {}, 'Keys'), table(['key', 'does'], KEYS), close);
  close.addEventListener('click', () => {
    d.close();
    d.remove();
  });
  root.append(d);
  d.showModal();
}
