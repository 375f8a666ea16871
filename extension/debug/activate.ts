// VS Code glue for debugging: the `migtrace` debug type with its adapter in a process of its own
// (adapterProcess.ts: nothing heavy on the extension host's thread), a configuration provider (F5
// on a scenario file or a .migtrace with no launch.json just works), the next stage / next iteration toolbar commands, and the forwarding of the session's
// `migtrace/stopped` events to whoever follows them (the timeline).

import * as vscode from 'vscode';
import { adapterExecutable } from './adapterProcess';
import { CUSTOM, type StoppedEventBody } from './customProtocol';

export const DEBUG_TYPE = 'migtrace';

/** Stops of migtrace sessions, for the timeline to follow (the session's trace and the stop). */
export const migtraceStops = new vscode.EventEmitter<{ session: vscode.DebugSession; body: StoppedEventBody }>();

/** The launch configuration for a file, or null if it is neither a scenario nor a trace. */
export function configFor(path: string): vscode.DebugConfiguration | null {
  const base = path.replace(/^.*[\\/]/, '');
  if (/\.migtrace$/i.test(path)) return { type: DEBUG_TYPE, request: 'launch', name: `Replay ${base}`, trace: path, stopOnEntry: true };
  if (/\.json$/i.test(path)) return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${base}`, scenario: path, stopOnEntry: true };
  return null;
}

const provider: vscode.DebugConfigurationProvider = {
  provideDebugConfigurations() {
    return [
      { type: DEBUG_TYPE, request: 'launch', name: 'Debug multifd-sync-hang (seed 5 hangs)', scenario: 'multifd-sync-hang', seed: 5, record: '${workspaceFolder}/multifd-sync-hang-seed-5.migtrace' },
      { type: DEBUG_TYPE, request: 'launch', name: 'Debug seed-stage3-hang (stop-and-copy)', scenario: 'seed-stage3-hang', seed: 1, stopOnEntry: true },
      { type: DEBUG_TYPE, request: 'launch', name: 'Replay a trace', trace: '${file}', stopOnEntry: true },
    ];
  },
  resolveDebugConfiguration(_folder, config) {
    if (!config.type && !config.request && !config.name) {
      const doc = vscode.window.activeTextEditor?.document ?? null;
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      const uri = doc?.uri ?? tab?.uri;
      const c = uri === undefined ? null : configFor(uri.fsPath);
      if (c === null) {
        void vscode.window.showInformationMessage('migtrace: open a scenario (.json) or a trace (.migtrace) to debug it, or add a launch configuration of type "migtrace".');
        return undefined;
      }
      return c;
    }
    return config;
  },
};

export function activateDebug(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) => adapterExecutable(context.extensionPath, session),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: provider.provideDebugConfigurations }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.commands.registerCommand('migtrace.debug.nextStage', () => vscode.debug.activeDebugSession?.customRequest(CUSTOM.nextStage)),
    vscode.commands.registerCommand('migtrace.debug.nextIteration', () => vscode.debug.activeDebugSession?.customRequest(CUSTOM.nextIteration)),
    vscode.commands.registerCommand('migtrace.debug.file', (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      const c = target === undefined ? null : configFor(target.fsPath);
      if (c !== null) void vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target!), c);
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type === DEBUG_TYPE && e.event === CUSTOM.stopped) migtraceStops.fire({ session: e.session, body: e.body as StoppedEventBody });
    }),
    migtraceStops,
  );
}
