// The custom read-only editor for *.migtrace (the default for them): each panel is a webview with
// the timeline page (webviewHtml.ts) and a PanelController on the host side. The webview is not
// kept alive while hidden; it saves its view (range, scroll, collapsed lanes) with setState and,
// shown again, asks for the timeline, which the controller still holds.

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { PanelController } from './panelController';
import { webviewHtml } from './webviewHtml';
import type { TimelineWorker } from './workerClient';
import type { SessionLink } from './sessionLink';

export const VIEW_TYPE = 'migtrace.timeline';

class TraceDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class TimelineEditorProvider implements vscode.CustomReadonlyEditorProvider<TraceDocument> {
  /** open panels, by their controller; the active one gets the commands */
  readonly panels = new Map<vscode.WebviewPanel, PanelController>();
  private readonly reloads = new Map<vscode.WebviewPanel, () => void>();
  active: { panel: vscode.WebviewPanel; controller: PanelController } | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly worker: TimelineWorker,
    private readonly sessions: SessionLink,
    private readonly log: (line: string) => void,
  ) {}

  openCustomDocument(uri: vscode.Uri): TraceDocument {
    return new TraceDocument(uri);
  }

  resolveCustomEditor(doc: TraceDocument, panel: vscode.WebviewPanel): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    // a fresh nonce each time the page is (re)loaded
    const load = () => {
      webview.html = webviewHtml({
        cspSource: webview.cspSource,
        nonce: randomBytes(18).toString('base64'),
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.css')).toString(),
      });
    };
    load();
    this.reloads.set(panel, load);
    const controller = new PanelController([doc.uri.fsPath], {
      post: (m) => void webview.postMessage(m),
      log: this.log,
      load: (paths) => this.worker.request({ op: 'timeline', paths }),
      startReplay: async (config) => {
        const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
        return vscode.debug.startDebugging(folder, config);
      },
      seek: (path, time_ns) => this.sessions.seek(path, time_ns),
    });
    this.panels.set(panel, controller);
    this.sessions.attach(controller);
    const track = () => {
      if (panel.active) this.active = { panel, controller };
      else if (this.active?.panel === panel) this.active = null;
    };
    track();
    const subs = [
      webview.onDidReceiveMessage((m) => void controller.onMessage(m)),
      panel.onDidChangeViewState(track),
    ];
    panel.onDidDispose(() => {
      subs.forEach((s) => s.dispose());
      this.panels.delete(panel);
      this.reloads.delete(panel);
      this.sessions.detach(controller);
      if (this.active?.panel === panel) this.active = null;
    });
  }

  /** Shows a second trace beside the active panel's first, on one time axis. */
  compare(panel: vscode.WebviewPanel, second: string): void {
    const c = this.panels.get(panel);
    if (!c) return;
    c.setPaths([c.paths[0], second]);
    panel.title = `${c.paths.map((p) => p.split(/[\\/]/).pop()).join(' ⇄ ')}`;
    // reload the page: it asks for the (new) timeline when ready
    this.reloads.get(panel)?.();
  }
}
