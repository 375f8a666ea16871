// The commands behind the walkthrough "Debug a live-migration hang" (package.json
// contributes.walkthroughs; its pages are media/walkthrough/*.md): debug the built-in
// multifd-sync-hang on seed 5 (a schedule on which a multifd sync hangs), recorded; open that
// recording in the timeline; replay it in the debugger; start a scenario file of one's own.

import * as vscode from 'vscode';
import { BUILTIN_SCENARIOS } from '../../engine/scenario/builtin';
import { recordingUri, type PickedScenario } from '../commands/scenarioPick';
import { replayConfig, startScenarioDebugging, TIMELINE_VIEW } from '../commands/runCommands';

/** The walkthrough's hang: multifd-sync-hang hangs on some schedules only; seed 5 is one of them. */
export const WALKTHROUGH_HANG = { scenario: 'multifd-sync-hang', name: 'multifd-sync-hang', seed: 5 } as const;

const hang = (): PickedScenario => ({ ...WALKTHROUGH_HANG, folder: vscode.workspace.workspaceFolders?.[0]?.uri });

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The walkthrough's recording, or a message saying how to make it. */
async function recording(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  const uri = recordingUri(hang(), context.globalStorageUri);
  if (await exists(uri)) return uri;
  void vscode.window.showInformationMessage(`migtrace: ${vscode.workspace.asRelativePath(uri)} is not recorded yet: run the walkthrough's first step (Debug multifd-sync-hang, seed 5) until it stops on the hang`);
  return undefined;
}

export function registerWalkthrough(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('migtrace.walkthrough.debugHang', () => startScenarioDebugging(context, hang(), false)),
    vscode.commands.registerCommand('migtrace.walkthrough.openRecording', async () => {
      const uri = await recording(context);
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, TIMELINE_VIEW);
    }),
    vscode.commands.registerCommand('migtrace.walkthrough.replayRecording', async () => {
      const uri = await recording(context);
      if (uri) await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], replayConfig(uri, false));
    }),
    vscode.commands.registerCommand('migtrace.newScenarioFile', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (folder === undefined) return void vscode.window.showInformationMessage('migtrace: open a folder first; a scenario file goes into it');
      const names = Object.keys(BUILTIN_SCENARIOS);
      const from = await vscode.window.showQuickPick(names, { title: 'New scenario file: start from which built-in?' });
      if (from === undefined) return;
      let uri = vscode.Uri.joinPath(folder, `${from}.migscenario.json`);
      for (let i = 2; (await exists(uri)) && i < 1000; i++) uri = vscode.Uri.joinPath(folder, `${from}-${i}.migscenario.json`);
      const body = { ...(BUILTIN_SCENARIOS[from] as Record<string, unknown>), name: uri.path.replace(/^.*\//, '').replace(/\.migscenario\.json$/, '') };
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(body, null, 2) + '\n'));
      await vscode.window.showTextDocument(uri);
    }),
  );
}
