// The webview inside VS Code's custom editor: says it is ready, receives the timeline (or the
// reason the file cannot be read) from the host, checks every message against the schema
// (protocol.ts) and refuses the rest, and sends "Replay to here" and seeks to the host.

import { checkHostMessage, type HostMessage, type ViewMessage } from './protocol';
import { unpackTimeline, type PackedTimeline } from '../engine/trace/timelineData';
import { TimelineView, type SavedState } from './view';
import { buildHeader, buildLoadError } from './header';
import { clear, el } from './dom';

interface VsCodeApi {
  postMessage(m: ViewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function startEditor(root: HTMLElement): void {
  const vscode = acquireVsCodeApi();
  let view: TimelineView | null = null;
  const status = el('div', { class: 'mt-status' }, 'Reading the trace…');
  root.append(status);
  const post = (m: ViewMessage) => vscode.postMessage(m);
  // VS Code gives undefined until the page has saved a state (not null)
  const saved = (vscode.getState() ?? null) as SavedState | null;

  const load = (data: PackedTimeline) => {
    const t0 = performance.now();
    const tl = unpackTimeline(data);
    clear(root);
    root.append(buildHeader(tl));
    view = new TimelineView(root, tl, {
      replay: (trace, time_ns) => post({ type: 'replayToHere', trace, time_ns }),
      seek: (trace, time_ns) => post({ type: 'seek', trace, time_ns }),
      saveState: (s) => vscode.setState(s),
    }, saved);
    view.paint();
    // from the message's arrival to the first frame drawn: what the page adds to opening a trace
    document.body.dataset.migtraceFirstPaintMs = String(Math.round(performance.now() - t0));
    (window as unknown as { migtrace: unknown }).migtrace = view;
  };

  window.addEventListener('message', (e: MessageEvent) => {
    const why = checkHostMessage(e.data);
    if (why !== null) {
      console.warn(`migtrace timeline: refused a message from the host: ${why}`);
      return;
    }
    const m = e.data as HostMessage;
    try {
      switch (m.type) {
        case 'load':
          load(m.data);
          break;
        case 'loadError':
          clear(root);
          root.append(buildLoadError(m.file, m.message));
          document.body.dataset.migtraceState = 'error';
          break;
        case 'session':
          view?.setSession(m.trace, m.active, m.name);
          break;
        case 'stopped':
          view?.setStopped(m.trace, m.time_ns);
          break;
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      clear(root);
      root.append(buildLoadError('the trace', message));
      document.body.dataset.migtraceState = 'error';
      post({ type: 'error', message: message.slice(0, 4000) });
    }
  });
  post({ type: 'ready' });
}
