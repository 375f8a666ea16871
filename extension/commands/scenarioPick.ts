// Which scenario a command is about: the file it was invoked on (explorer or editor menu), the
// scenario file in the active editor, or one picked from the built-ins; then its seed. A scenario
// file that does not validate is refused with the schema's one-line message (the field, the value,
// what was expected), before anything runs.

import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { BUILTIN_SCENARIOS } from '../../engine/scenario/builtin';
import { builtinNames, loadBuiltin, loadScenarioText } from '../../engine/scenario/load';
import { ScenarioError } from '../../engine/scenario/validate';

export interface PickedScenario {
  /** what the launch configuration's `scenario` and the CLI take: a built-in name or a file path */
  scenario: string;
  /** the scenario's name (the file's `name`, or the built-in's) */
  name: string;
  seed: number;
  /** the folder a recording goes to by default */
  folder: vscode.Uri | undefined;
}

const isScenarioFile = (uri: vscode.Uri) => /\.migscenario\.json$/i.test(uri.fsPath);

function describe(name: string): string {
  const d = (BUILTIN_SCENARIOS[name] as { description?: string }).description ?? '';
  return d.length > 160 ? `${d.slice(0, 157)}...` : d;
}

/** the folder where a run of this scenario is recorded: next to its file, else the workspace's first folder */
function folderFor(file: vscode.Uri | undefined): vscode.Uri | undefined {
  if (file !== undefined && file.scheme === 'file') return vscode.Uri.file(dirname(file.fsPath));
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

async function loadFile(uri: vscode.Uri): Promise<{ name: string; seed: number } | undefined> {
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  try {
    const s = loadScenarioText(text, uri.fsPath);
    return { name: s.config.name, seed: s.config.seed };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    void vscode.window.showErrorMessage(`migtrace: ${e.message.replace(/\n\s*/g, ' ')}`);
    return undefined;
  }
}

/** The scenario: `arg` (a file Uri or a built-in name), the active scenario editor, or a pick. */
export async function pickScenario(arg: unknown, title: string): Promise<Omit<PickedScenario, 'seed'> | undefined> {
  if (typeof arg === 'string' && builtinNames().includes(arg)) return { scenario: arg, name: arg, folder: folderFor(undefined) };
  const file = arg instanceof vscode.Uri ? arg : undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  const target = file ?? (active !== undefined && isScenarioFile(active) ? active : undefined);
  if (target !== undefined) {
    const s = await loadFile(target);
    return s === undefined ? undefined : { scenario: target.fsPath, name: s.name, folder: folderFor(target) };
  }
  const items = builtinNames().map((name) => ({ label: name, description: 'built-in', detail: describe(name) }));
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'a built-in scenario (or run this on a *.migscenario.json)', matchOnDescription: true, matchOnDetail: true });
  return pick === undefined ? undefined : { scenario: pick.label, name: pick.label, folder: folderFor(undefined) };
}

function defaultSeed(scenario: string): number {
  try {
    return builtinNames().includes(scenario) ? loadBuiltin(scenario).config.seed : 1;
  } catch {
    return 1;
  }
}

/** The seed: `given`, else asked (the scenario's own as the default). */
export async function pickSeed(s: Omit<PickedScenario, 'seed'>, title: string, given?: number): Promise<PickedScenario | undefined> {
  if (given !== undefined) return { ...s, seed: given };
  const text = await vscode.window.showInputBox({
    title: `${title}: ${s.name}`,
    prompt: 'Seed of the run: the same seed gives the same schedule, hence the same trace',
    value: String(defaultSeed(s.scenario)),
    validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number ≥ 0'),
  });
  return text === undefined ? undefined : { ...s, seed: Number(text.trim()) };
}

/** Where a run of `s` is recorded: `<folder>/<name>-seed-<seed>.migtrace` (globalStorage with no folder). */
export function recordingUri(s: PickedScenario, storage: vscode.Uri): vscode.Uri {
  const file = `${basename(s.name).replace(/[^\w.-]+/g, '_')}-seed-${s.seed}.migtrace`;
  return vscode.Uri.joinPath(s.folder ?? storage, file);
}
