// Where a scenario comes from on the command line: a built-in name, or a JSON file; and the
// `--set key.path=value` overrides, whose keys are checked against the schema first.
import { readFileSync } from 'node:fs';
import { builtinNames, isBuiltin, loadBuiltin, loadScenarioText, type LoadedScenario } from '../scenario/load';
import { setKeyProblem } from '../scenario/validate';
import { closestName } from '../util/closest';
import { CliError, fsWhy } from './errors';
import type { PathArg } from './paths';

/** The scenario argument as an input file of the command (none for a built-in name). */
export function scenarioInputs(arg: string): PathArg[] {
  return isBuiltin(arg) ? [] : [{ path: arg, what: '<scenario>' }];
}

/** Refuses an override that is not key.path=value or names no scenario field; `what` is the flag that gave it. */
export function checkSets(sets: readonly string[], what = '--set'): void {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CliError(`${what} "${s}": expected key.path=value, e.g. --set migration.downtime-limit=300`);
    const problem = setKeyProblem(s.slice(0, eq).split('.'));
    if (problem !== null) throw new CliError(`${what} ${s}: ${problem}`);
  }
}

export function loadScenarioArg(arg: string, sets: string[], seed?: number): LoadedScenario {
  checkSets(sets);
  if (isBuiltin(arg)) return loadBuiltin(arg, sets, seed);
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const looksLikePath = /[\\/]|\.json$/i.test(arg);
      const near = looksLikePath ? undefined : closestName(arg, builtinNames(), 3);
      throw new CliError(`<scenario> ${arg}: no such file${looksLikePath ? '' : ', and no built-in scenario of that name'}${near ? ` (did you mean "${near}"?)` : ''}; expected a scenario JSON file or a built-in name (see \`migtrace scenarios\`)`);
    }
    if (code === 'EISDIR') throw new CliError(`<scenario> ${arg}: is a directory; expected a scenario JSON file or a built-in name`);
    throw new CliError(`<scenario> ${arg}: cannot be read: ${fsWhy(e as NodeJS.ErrnoException)}`);
  }
  return loadScenarioText(text, arg, sets, seed);
}
