// Everything of the timeline in the extension: the custom editor for *.migtrace, the worker that
// reads traces, the link to migtrace debug sessions, and the commands "Open Timeline", "Export to
// Perfetto", "Open Report" and "Compare Timeline With...".

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { TimelineEditorProvider, VIEW_TYPE } from './editorProvider';
import { SessionLink } from './sessionLink';
import { TimelineWorker } from './workerClient';

export function registerTimeline(context: vscode.ExtensionContext, channel: vscode.OutputChannel): void {
  const log = (line: string) => channel.appendLine(line);
  const worker = new TimelineWorker(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath);
  const sessions = new SessionLink(log);
  const provider = new TimelineEditorProvider(context, worker, sessions, log);

  /** the trace a command is about: its argument (explorer menu), the active timeline, or a pick */
  const traceFor = async (arg: unknown, what: string): Promise<string | undefined> => {
    if (arg instanceof vscode.Uri) return arg.fsPath;
    const active = provider.active?.controller.paths[0];
    if (active) return active;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'migtrace trace': ['migtrace'] }, openLabel: what });
    return picked?.[0]?.fsPath;
  };
  const runWorker = async (op: 'perfetto' | 'report', path: string, ext: string, label: string): Promise<string | undefined> => {
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.replace(/\.migtrace$/, '') + ext), saveLabel: label });
    if (!target) return undefined;
    const paths = op === 'report' && provider.active?.controller.paths[0] === path ? provider.active.controller.paths : [path];
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `migtrace: ${label} ${basename(path)}` }, () => worker.request({ op, paths, out: target.fsPath }));
    if (!r.ok) {
      void vscode.window.showErrorMessage(`migtrace: ${r.message}`);
      if (r.stack) log(r.stack);
      return undefined;
    }
    if (r.op === 'done') log(r.text);
    return target.fsPath;
  };

  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } }),
    sessions,
    { dispose: () => worker.dispose() },
    vscode.commands.registerCommand('migtrace.openTimeline', async (arg?: unknown) => {
      const path = await traceFor(arg, 'Open Timeline');
      if (path) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), VIEW_TYPE);
    }),
    vscode.commands.registerCommand('migtrace.exportPerfetto', async (arg?: unknown) => {
      const path = await traceFor(arg, 'Export');
      if (!path) return;
      const out = await runWorker('perfetto', path, '.pftrace', 'Export to Perfetto');
      if (out) void vscode.window.showInformationMessage(`migtrace: wrote ${basename(out)}; open it in ui.perfetto.dev`);
    }),
    vscode.commands.registerCommand('migtrace.openReport', async (arg?: unknown) => {
      const path = await traceFor(arg, 'Report');
      if (!path) return;
      const out = await runWorker('report', path, '.report.html', 'Write Report');
      if (out) await vscode.env.openExternal(vscode.Uri.file(out));
    }),
    vscode.commands.registerCommand('migtrace.compareTimeline', async () => {
      const a = provider.active;
      if (!a) {
        void vscode.window.showInformationMessage('migtrace: open a .migtrace timeline first, then compare it with another trace');
        return;
      }
      const sibling = a.controller.paths[0].endsWith('.model.migtrace') ? a.controller.paths[0].replace(/\.model\.migtrace$/, '.migtrace') : a.controller.paths[0].replace(/\.migtrace$/, '.model.migtrace');
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: vscode.Uri.file(sibling), filters: { 'migtrace trace': ['migtrace'] }, openLabel: 'Compare' });
      if (picked?.[0]) provider.compare(a.panel, picked[0].fsPath);
    }),
  );
}
