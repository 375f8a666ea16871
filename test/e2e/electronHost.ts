// The desktop VS Code half of the end-to-end suite (electron.test.ts): this module runs inside
// VS Code's extension host, loaded by @vscode/test-electron as the extension tests. It goes
// through the story with the vscode API where a desktop window cannot be driven from here: a
// migtrace session on multifd-sync-hang seed 5 stops on the deadlock (exceptionInfo explains
// it), the migration thread's stack, a step back, the recording written, and the recording
// opened in the timeline by the extension's own command.
// Bundled by electron.test.ts to CommonJS with `vscode` external.

import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

function check(ok: unknown, what: string): void {
  if (!ok) throw new Error(`desktop VS Code: ${what}`);
}

function nextStop(within_ms: number): Promise<{ session: vscode.DebugSession; body: { reason: string; time_ns: number } }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`desktop VS Code: no migtrace/stopped event within ${within_ms} ms`));
    }, within_ms);
    const sub = vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.event !== 'migtrace/stopped') return;
      clearTimeout(timer);
      sub.dispose();
      resolve({ session: e.session, body: e.body });
    });
  });
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension('migtrace.migtrace');
  check(ext, 'the extension migtrace.migtrace is not installed');
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(folder, 'no workspace folder is open');
  const recording = join(folder!.uri.fsPath, 'multifd-sync-hang-seed-5.migtrace');
  const stopped = nextStop(300_000);
  const started = await vscode.debug.startDebugging(folder, { type: 'migtrace', request: 'launch', name: 'multifd-sync-hang (seed 5)', scenario: 'multifd-sync-hang', seed: 5, record: recording });
  check(started, 'startDebugging returned false');
  check(ext!.isActive, 'the extension did not activate for the migtrace debug session');
  const { session, body } = await stopped;
  check(body.reason === 'exception', `the session stopped for "${body.reason}", not on the hang`);
  const threads = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
  const mig = threads.threads.find((t) => t.name.startsWith('mig/src/main '));
  check(mig, `no thread mig/src/main among ${threads.threads.map((t) => t.name).join(', ')}`);
  const info = (await session.customRequest('exceptionInfo', { threadId: mig!.id })) as { exceptionId: string; description: string };
  check(info.exceptionId === 'deadlock' && /a cycle of 2 threads/.test(info.description), `exceptionInfo: ${JSON.stringify(info)}`);
  const stack = (await session.customRequest('stackTrace', { threadId: mig!.id })) as { stackFrames: { name: string }[] };
  check(stack.stackFrames[0]?.name === 'multifd_send_sync_main', `the migration thread's top frame is ${stack.stackFrames[0]?.name}`);
  const back = nextStop(120_000);
  await session.customRequest('stepBack', { threadId: mig!.id });
  check((await back).body.reason === 'step', 'Step Back did not stop as a step');
  await vscode.debug.stopDebugging(session);
  check(existsSync(recording) && statSync(recording).size > 100_000, `the session did not record ${recording}`);
  await vscode.commands.executeCommand('migtrace.openTimeline', vscode.Uri.file(recording));
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  check(tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === 'migtrace.timeline', 'the recording did not open in the timeline');
}
