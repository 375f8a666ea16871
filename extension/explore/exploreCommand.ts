// The command "migtrace: Search Schedules for a Hang": pick a scenario, a number of runs and a
// strategy, run the search with progress and cancel (which keeps what was found), show the report,
// and open the shrunk trace of the hang in the debugger, stopped at the hang. The search itself is
// exploreSession.ts (no vscode there); this file is only the editor's side.

import * as vscode from 'vscode';
import { builtinNames, loadBuiltin, loadScenarioText, type LoadedScenario } from '../../engine/scenario/load';
import { ScenarioError } from '../../engine/scenario/validate';
import { BUILTIN_SCENARIOS } from '../../engine/scenario/builtin';
import { runExploreSession, shrunkTraceLaunch } from './exploreSession';
import { pct } from '../../engine/explore/stats';
import { hasCloseCall } from '../../engine/explore/closeCall';

export const EXPLORE_COMMAND = 'migtrace.exploreSchedules';

async function pickScenario(): Promise<LoadedScenario | undefined> {
  const items: (vscode.QuickPickItem & { load: () => Promise<LoadedScenario> })[] = [];
  const doc = vscode.window.activeTextEditor?.document;
  if (doc !== undefined && /\.json$/i.test(doc.fileName)) {
    items.push({ label: vscode.workspace.asRelativePath(doc.uri), description: 'the open scenario file', load: async () => loadScenarioText(doc.getText(), doc.fileName) });
  }
  for (const name of builtinNames()) {
    const d = (BUILTIN_SCENARIOS[name] as { description?: string }).description ?? '';
    items.push({ label: name, description: 'built-in', detail: d.length > 160 ? `${d.slice(0, 157)}...` : d, load: async () => loadBuiltin(name) });
  }
  items.push({
    label: 'Scenario file...', description: 'a *.migscenario.json',
    load: async () => {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'migtrace scenario': ['json'] } });
      if (uris === undefined || uris.length === 0) throw new vscode.CancellationError();
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uris[0]));
      return loadScenarioText(text, uris[0].fsPath);
    },
  });
  const pick = await vscode.window.showQuickPick(items, { title: 'Search schedules for a hang: scenario', matchOnDetail: true });
  return pick === undefined ? undefined : pick.load();
}

export async function searchSchedulesForAHang(context: vscode.ExtensionContext, channel: vscode.OutputChannel): Promise<void> {
  let scenario: LoadedScenario | undefined;
  try {
    scenario = await pickScenario();
  } catch (e) {
    if (e instanceof vscode.CancellationError) return;
    if (e instanceof ScenarioError) {
      void vscode.window.showErrorMessage(`migtrace: ${e.message.replace(/\n\s*/g, ' ')}`);
      return;
    }
    throw e;
  }
  if (scenario === undefined) return;
  const runsText = await vscode.window.showInputBox({
    title: `Search schedules for a hang: ${scenario.config.name}`,
    prompt: 'How many schedules (seeds 1..N) to run',
    value: '200',
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 ? undefined : 'a positive whole number of runs'),
  });
  if (runsText === undefined) return;
  const strategies = [
    { label: 'random', description: 'a random choice at every scheduling decision' },
    { label: 'pct', description: 'PCT: random priorities, depth-1 change points over the run\'s decisions' },
  ];
  // Only a bug with a closest-call measure can guide a search (seed-stage3-hang's aa723c23147e): offered first there.
  if (hasCloseCall(scenario.config.bugs)) strategies.unshift({ label: 'guided', description: 'each seed\'s default schedule, changed where the thread that got away ran inside the bug\'s danger' });
  const strategy = await vscode.window.showQuickPick(strategies, { title: 'Search schedules for a hang: strategy' });
  if (strategy === undefined) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  const dir = folder?.uri.fsPath ?? context.globalStorageUri.fsPath;
  const sc = scenario;
  const runs = Number(runsText);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `migtrace: searching ${runs} schedules of ${sc.config.name}`, cancellable: true },
    async (progress, token) => {
      let shown = 0;
      return runExploreSession(
        { scenario: sc, runs, strategy: strategy.label as 'random' | 'pct' | 'guided', dir },
        (p) => {
          if (p.phase === 'search') {
            const pctDone = (100 * p.done) / Math.max(1, p.total);
            progress.report({ increment: pctDone - shown, message: `${p.done}/${p.total} runs, ${p.failures} failing in ${p.groups} group${p.groups === 1 ? '' : 's'}` });
            shown = pctDone;
          } else if (p.message) progress.report({ message: p.message });
        },
        { get cancelled() { return token.isCancellationRequested; }, onCancel: (f) => token.onCancellationRequested(f) },
        () => Date.now(),
      );
    },
  );
  channel.clear();
  channel.appendLine(outcome.text);
  channel.appendLine('');
  channel.appendLine(`result: ${outcome.resultFile}`);
  channel.show(true);
  const rep = outcome.report;
  if (outcome.shrunkTrace === null) {
    const cc = rep.closest_call?.best;
    void vscode.window.showInformationMessage(
      rep.failures === 0
        ? `migtrace: no failure in ${rep.ran} runs of ${rep.target} (rate below ${pct(rep.failure_ci95[1])}, 95%)${cc ? (cc.value > 0 ? `; closest call: seed ${cc.seed}` : '; no run came near') : ''}${outcome.interrupted ? ' (cancelled)' : ''}.`
        : `migtrace: ${rep.failures} failing runs of ${rep.ran}; see the migtrace output for the report.`,
    );
    return;
  }
  const g = rep.groups[0];
  const name = `${rep.target}: shrunk ${g.kind} (seed ${g.witness?.seed})`;
  void vscode.window.showInformationMessage(`migtrace: ${g.verdict} in ${g.hits} of ${rep.ran} runs; opening the shrunk schedule (${g.witness?.depth} decision${g.witness?.depth === 1 ? '' : 's'} from the default) in the debugger.`);
  const started = await vscode.debug.startDebugging(folder, shrunkTraceLaunch(outcome.shrunkTrace, name));
  if (!started) void vscode.window.showErrorMessage(`migtrace: could not start a migtrace debug session for ${outcome.shrunkTrace}`);
}

export function registerExploreCommand(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('migtrace explore');
  context.subscriptions.push(channel);
  context.subscriptions.push(vscode.commands.registerCommand(EXPLORE_COMMAND, () => searchSchedulesForAHang(context, channel)));
}
