// The commands that start runs: "Run Scenario..." (the CLI's `run --out`, in a child process, with
// progress and Cancel), "Debug Scenario..." (a debug session that records its trace) and "Replay
// Trace in the Debugger". None of them simulates on the extension host's thread: a run is the
// CLI's process, a debug session the adapter's (extension/debug/adapterProcess.ts).

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { runCli } from './cliProcess';
import { pickScenario, pickSeed, recordingUri, type PickedScenario } from './scenarioPick';

/** What the CLI's exit codes mean (engine/cli). */
const OUTCOME: Record<number, string> = {
  0: 'completed',
  2: 'refused: bad input',
  3: 'hung',
  4: 'lost data (a page stale at switchover)',
  5: 'failed, was cancelled or did not converge',
};

export const TIMELINE_VIEW = 'migtrace.timeline';

/** The debug configuration of a scenario run that records itself (the walkthrough's and the menus'). */
export function debugConfig(s: PickedScenario, record: vscode.Uri, stopOnEntry: boolean): vscode.DebugConfiguration {
  return { type: 'migtrace', request: 'launch', name: `Debug ${s.name} (seed ${s.seed})`, scenario: s.scenario, seed: s.seed, stopOnEntry, record: record.fsPath };
}

export function replayConfig(trace: vscode.Uri, stopOnEntry = true): vscode.DebugConfiguration {
  return { type: 'migtrace', request: 'launch', name: `Replay ${basename(trace.fsPath)}`, trace: trace.fsPath, stopOnEntry };
}

async function traceArg(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom && /\.migtrace$/i.test(tab.uri.fsPath)) return tab.uri;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'migtrace trace': ['migtrace'] }, openLabel: 'Replay' });
  return picked?.[0];
}

export async function startScenarioDebugging(context: vscode.ExtensionContext, s: PickedScenario, stopOnEntry: boolean): Promise<vscode.Uri> {
  const record = recordingUri(s, context.globalStorageUri);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(record, '..'));
  const folder = s.folder === undefined ? undefined : vscode.workspace.getWorkspaceFolder(s.folder);
  await vscode.debug.startDebugging(folder, debugConfig(s, record, stopOnEntry));
  return record;
}

export function registerRunCommands(context: vscode.ExtensionContext, channel: vscode.OutputChannel): void {
  const runScenario = async (arg?: unknown, seed?: number) => {
    const p = await pickScenario(arg, 'Run Scenario');
    const s = p && (await pickSeed(p, 'Run Scenario', seed));
    if (!s) return;
    const out = recordingUri(s, context.globalStorageUri);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(out, '..'));
    channel.show(true);
    const r = await runCli(context.extensionPath, ['run', s.scenario, '--seed', String(s.seed), '--out', out.fsPath], { title: `migtrace: ${s.name}, seed ${s.seed}`, channel, cwd: s.folder?.fsPath });
    if (r.code === null) return void vscode.window.showInformationMessage(`migtrace: the run of ${s.name} (seed ${s.seed}) was cancelled; nothing was recorded`);
    if (r.code === 2 || r.code === 1) return void vscode.window.showErrorMessage(`migtrace: ${r.lastErr.replace(/^migtrace: /, '')}`);
    const what = OUTCOME[r.code] ?? `ended with exit code ${r.code}`;
    const pick = await vscode.window.showInformationMessage(`migtrace: ${s.name} (seed ${s.seed}) ${what}; recorded ${basename(out.fsPath)}`, 'Open Timeline', 'Replay in the Debugger');
    if (pick === 'Open Timeline') await vscode.commands.executeCommand('vscode.openWith', out, TIMELINE_VIEW);
    if (pick === 'Replay in the Debugger') await vscode.debug.startDebugging(undefined, replayConfig(out));
  };
  const debugScenario = async (arg?: unknown, seed?: number) => {
    const p = await pickScenario(arg, 'Debug Scenario');
    const s = p && (await pickSeed(p, 'Debug Scenario', seed));
    if (s) await startScenarioDebugging(context, s, true);
  };
  const replayTrace = async (arg?: unknown) => {
    const trace = await traceArg(arg);
    if (trace) await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(trace), replayConfig(trace));
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('migtrace.runScenario', runScenario),
    vscode.commands.registerCommand('migtrace.debugScenario', debugScenario),
    vscode.commands.registerCommand('migtrace.replayTrace', replayTrace),
  );
}
