// Where a scenario comes from on the command line: a built-in name, or a JSON file.
import { readFileSync } from 'node:fs';
import { isBuiltin, loadBuiltin, loadScenarioText, type LoadedScenario } from '../scenario/load';
import { ScenarioError } from '../scenario/validate';

export function loadScenarioArg(arg: string, sets: string[], seed?: number): LoadedScenario {
  if (isBuiltin(arg)) return loadBuiltin(arg, sets, seed);
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file, and no built-in scenario of that name (see `migtrace scenarios`)' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ScenarioError(arg, [{ path: '', message: why }]);
  }
  return loadScenarioText(text, arg, sets, seed);
}
