// One timeline panel's host side, without the VS Code API (editorProvider.ts connects it): it
// checks every message from the webview against the schema and refuses and logs the rest; on
// "ready" it has the trace(s) read (by the worker) and sends the timeline, or the reader's reason
// it cannot; "Replay to here" starts a `trace` debug session stopped at that time; a seek goes to
// the running session; the session's stops come back to the view.

import { checkViewMessage, type HostMessage, type ViewMessage } from '../../media/protocol';
import type { PackedTimeline } from '../../engine/trace/timelineData';
import type { WorkerReply } from './workerProtocol';
import { basename, resolve } from 'node:path';

export interface PanelPorts {
  post(m: HostMessage, transfer?: ArrayBuffer[]): void;
  log(line: string): void;
  /** read the traces into a packed timeline (the worker) */
  load(paths: string[]): Promise<WorkerReply>;
  /** start a migtrace debug session replaying `path`, stopped at `stopAtTime` */
  startReplay(config: ReplayConfig): Promise<boolean>;
  /** seek the running session of `path` */
  seek(path: string, time_ns: number): Promise<void>;
}

/** The debug launch configuration "Replay to here" starts (contracts.md). */
export interface ReplayConfig {
  type: 'migtrace';
  request: 'launch';
  name: string;
  trace: string;
  stopAtTime: number;
}

export class PanelController {
  /** the last timeline sent, kept to answer the next "ready" (a tab hidden and shown again) at once */
  private cached: PackedTimeline | null = null;
  private cachedBytes = 0;
  private readonly sessions: (string | null)[];
  /** each running session's last stop, sent again to a page that reloads (a tab shown again) */
  private readonly lastStops = new Map<number, HostMessage>();

  constructor(public paths: string[], private readonly ports: PanelPorts) {
    this.sessions = paths.map(() => null);
  }

  /** The panel now shows these traces (a compare adds one): the next "ready" reads them. */
  setPaths(paths: string[]): void {
    this.paths = paths;
    this.cached = null;
    this.sessions.length = 0;
    this.sessions.push(...paths.map(() => null));
    this.lastStops.clear();
  }

  async onMessage(raw: unknown): Promise<void> {
    const why = checkViewMessage(raw);
    if (why !== null) {
      this.ports.log(`timeline: refused a message from the webview of ${this.paths.map((p) => basename(p)).join(' + ')}: ${why}`);
      return;
    }
    const m = raw as ViewMessage;
    switch (m.type) {
      case 'ready':
        await this.sendTimeline();
        break;
      case 'replayToHere': {
        const path = this.paths[m.trace];
        if (path === undefined) return this.ports.log(`timeline: refused "Replay to here" for trace ${m.trace}: the panel shows ${this.paths.length}`);
        const config: ReplayConfig = { type: 'migtrace', request: 'launch', name: 'Replay to here', trace: path, stopAtTime: m.time_ns };
        this.ports.log(`timeline: Replay to here: ${basename(path)} at ${m.time_ns} ns`);
        const ok = await this.ports.startReplay(config);
        if (!ok) this.ports.log(`timeline: the debug session for ${basename(path)} did not start (is the migtrace debugger installed?)`);
        break;
      }
      case 'seek': {
        const path = this.paths[m.trace];
        if (path === undefined || this.sessions[m.trace] === null) return this.ports.log(`timeline: refused a seek: no migtrace debug session runs for trace ${m.trace}`);
        await this.ports.seek(path, m.time_ns);
        break;
      }
      case 'error':
        this.ports.log(`timeline: the webview reports: ${m.message}`);
        break;
    }
  }

  private async sendTimeline(): Promise<void> {
    // a transfer that detached the buffers shows as lost bytes: then read again
    const bytes = (p: PackedTimeline) => p.buffers.reduce((n, b) => n + b.byteLength, 0);
    if (this.cached !== null && bytes(this.cached) === this.cachedBytes) {
      this.ports.post({ type: 'load', data: this.cached });
    } else {
      const r = await this.ports.load(this.paths);
      if (!r.ok) {
        if (!r.known) this.ports.log(`timeline: reading ${this.paths.join(', ')} failed: ${r.stack ?? r.message}`);
        this.ports.post({ type: 'loadError', file: this.paths.map((p) => basename(p)).join(' + '), message: r.message.slice(0, 4000) });
        return;
      }
      if (r.op !== 'timeline') return;
      this.cached = r.data;
      this.cachedBytes = bytes(r.data);
      this.ports.log(`timeline: ${this.paths.map((p) => basename(p)).join(' + ')} read in ${r.ms} ms (${r.data.metas.map((x) => `${x.events} events`).join(', ')})`);
      this.ports.post({ type: 'load', data: r.data });
    }
    this.sessions.forEach((name, trace) => {
      if (name === null) return;
      this.ports.post({ type: 'session', trace, active: true, name });
      const stop = this.lastStops.get(trace);
      if (stop) this.ports.post(stop);
    });
  }

  /** Which of this panel's traces is `path` (-1: none). */
  traceOf(path: string): number {
    const p = resolve(path);
    return this.paths.findIndex((x) => resolve(x) === p);
  }

  session(path: string, active: boolean, name: string): void {
    const trace = this.traceOf(path);
    if (trace < 0) return;
    this.sessions[trace] = active ? name : null;
    if (!active) this.lastStops.delete(trace);
    this.ports.post({ type: 'session', trace, active, name: name.slice(0, 200) });
  }

  stopped(path: string, body: unknown): void {
    const trace = this.traceOf(path);
    if (trace < 0) return;
    const b = body as { time_ns?: unknown; reason?: unknown } | null;
    if (typeof b?.time_ns !== 'number' || !Number.isSafeInteger(b.time_ns) || b.time_ns < 0) {
      this.ports.log(`timeline: ignored a migtrace/stopped event without a valid time_ns: ${JSON.stringify(body)?.slice(0, 200)}`);
      return;
    }
    const m: HostMessage = { type: 'stopped', trace, time_ns: b.time_ns, reason: typeof b.reason === 'string' ? b.reason.slice(0, 200) : '' };
    this.lastStops.set(trace, m);
    this.ports.post(m);
  }
}
