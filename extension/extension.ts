// VS Code glue: activation and commands. Every behaviour lives in engine/; this file only connects
// it to the editor (DESIGN.md: extension/ is a thin layer). Nothing heavy runs on the extension
// host's thread: runs are child processes of the bundled CLI, debug sessions the adapter's process.
import * as vscode from 'vscode';
import { activateDebug } from './debug/activate';
import { runCli } from './commands/cliProcess';
import { registerRunCommands } from './commands/runCommands';
import { registerWalkthrough } from './walkthrough/walkthrough';
import { registerTimeline } from './timeline/register';
import { registerExploreCommand } from './explore/exploreCommand';

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('migtrace');
  context.subscriptions.push(channel);
  activateDebug(context);
  registerRunCommands(context, channel);
  registerWalkthrough(context);
  registerTimeline(context, channel);
  registerExploreCommand(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('migtrace.runDemo', async () => {
      channel.clear();
      channel.show(true);
      await runCli(context.extensionPath, ['demo'], { title: 'migtrace: the 2012 report\'s two migrations', channel });
    }),
  );
}

export function deactivate(): void {}
