// VS Code glue: activation and commands. Every behaviour lives in engine/; this file only connects
// it to the editor (DESIGN.md: extension/ is a thin layer).
import * as vscode from 'vscode';
import { runSeedDemo } from '../engine/cli/demo';
import type { CliIO } from '../engine/cli/io';
import { activateDebug } from './debug/activate';
import { registerTimeline } from './timeline/register';
import { registerExploreCommand } from './explore/exploreCommand';

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('migtrace');
  context.subscriptions.push(channel);
  activateDebug(context);
  registerTimeline(context, channel);
  registerExploreCommand(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('migtrace.runDemo', () => {
      const io: CliIO = {
        out: (t) => channel.appendLine(t),
        err: (t) => channel.appendLine(t),
        progress: () => undefined,
        isTTY: false,
      };
      channel.clear();
      channel.show(true);
      runSeedDemo(io, 1, () => Date.now());
    }),
  );
}

export function deactivate(): void {}
