// Timelines following migtrace debug sessions (contracts.md): a session of a trace a panel shows
// is announced to that panel, every `migtrace/stopped` event moves its cursor, and a click in the
// panel seeks the session with `migtrace/goToTime`. A session is matched to a panel by the trace
// it replays (`trace`) or records (`record`).

import * as vscode from 'vscode';
import { isAbsolute, resolve } from 'node:path';
import type { PanelController } from './panelController';
import { DEBUG_TYPE, migtraceStops } from '../debug/activate';
import { CUSTOM } from '../debug/customProtocol';

/** The trace files a session replays or records, as absolute paths (relative ones from its folder). */
function tracePathsOf(s: vscode.DebugSession): string[] {
  const c = s.configuration as { trace?: unknown; record?: unknown };
  const base = s.workspaceFolder?.uri.fsPath ?? '';
  return [c.trace, c.record].filter((p): p is string => typeof p === 'string' && p !== '').map((p) => (isAbsolute(p) ? resolve(p) : resolve(base, p)));
}

export class SessionLink implements vscode.Disposable {
  private readonly controllers = new Set<PanelController>();
  private readonly sessions = new Map<string, vscode.DebugSession>();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly log: (line: string) => void) {
    this.subs = [
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s)),
      // the debugger forwards its sessions' `migtrace/stopped` events (extension/debug/activate.ts)
      migtraceStops.event((e) => {
        for (const path of tracePathsOf(e.session)) for (const c of this.controllers) c.stopped(path, e.body);
      }),
    ];
    if (vscode.debug.activeDebugSession) this.started(vscode.debug.activeDebugSession);
  }

  private started(s: vscode.DebugSession): void {
    if (s.type !== DEBUG_TYPE) return;
    for (const path of tracePathsOf(s)) {
      this.sessions.set(path, s);
      for (const c of this.controllers) c.session(path, true, s.name);
    }
  }

  private ended(s: vscode.DebugSession): void {
    for (const [path, x] of this.sessions) {
      if (x.id !== s.id) continue;
      this.sessions.delete(path);
      for (const c of this.controllers) c.session(path, false, s.name);
    }
  }

  attach(c: PanelController): void {
    this.controllers.add(c);
    for (const [path, s] of this.sessions) c.session(path, true, s.name);
  }

  detach(c: PanelController): void {
    this.controllers.delete(c);
  }

  async seek(path: string, time_ns: number): Promise<void> {
    const s = this.sessions.get(path);
    if (!s) return;
    try {
      await s.customRequest(CUSTOM.goToTime, { time_ns });
    } catch (e) {
      this.log(`timeline: migtrace/goToTime ${time_ns} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}
