// Loading a scenario: a built-in name or file text, `--set key=value` overrides applied to the
// JSON, validation against the schema, and resolution into the model's configuration. File access
// is the caller's (the CLI reads files; the extension uses the workspace file system).

import type { ModelConfig } from '../model/config';
import { resolveConfig, type ScenarioInput } from './resolve';
import { BUILTIN_SCENARIOS } from './builtin';
import { parseScenarioText, ScenarioError, validateScenario } from './validate';

export interface LoadedScenario {
  /** what the scenario was loaded from: a built-in name or a file path */
  source: string;
  raw: ScenarioInput;
  config: ModelConfig;
}

export function isBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_SCENARIOS, name);
}

export function builtinNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}

/** Applies "a.b.c=value" overrides; the value is JSON if it parses as JSON, a string otherwise. */
export function applyOverrides(raw: unknown, sets: string[], source: string): unknown {
  const copy = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ScenarioError(source, [{ path: '', message: `--set "${s}" must look like key.path=value` }]);
    const path = s.slice(0, eq).split('.');
    const text = s.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    let o: Record<string, unknown> = copy;
    for (let i = 0; i < path.length - 1; i++) {
      const next = o[path[i]];
      if (next === undefined) o[path[i]] = {};
      else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        throw new ScenarioError(source, [{ path: path.slice(0, i + 1).join('.'), message: `--set ${s}: not an object, cannot set a field inside it` }]);
      }
      o = o[path[i]] as Record<string, unknown>;
    }
    o[path[path.length - 1]] = value;
  }
  return copy;
}

/** Validates and resolves scenario JSON (already parsed). */
export function loadScenarioValue(value: unknown, source: string, sets: string[] = [], seed?: number): LoadedScenario {
  const v = sets.length > 0 ? applyOverrides(value, sets, source) : value;
  const problems = validateScenario(v);
  if (problems.length > 0) throw new ScenarioError(source, problems);
  const raw = v as ScenarioInput;
  if (raw.name === undefined) raw.name = source.replace(/^.*[\\/]/, '').replace(/\.(migscenario\.)?json$/i, '');
  try {
    return { source, raw, config: resolveConfig(raw, seed) };
  } catch (e) {
    if (e instanceof Error && 'path' in e) throw new ScenarioError(source, [{ path: String((e as { path: string }).path), message: e.message.replace(/^[^:]*: /, '') }]);
    throw e;
  }
}

export function loadBuiltin(name: string, sets: string[] = [], seed?: number): LoadedScenario {
  const v = BUILTIN_SCENARIOS[name];
  if (v === undefined) throw new ScenarioError(name, [{ path: '', message: `no built-in scenario named "${name}"; built-in: ${builtinNames().join(', ')}` }]);
  return loadScenarioValue(v, name, sets, seed);
}

export function loadScenarioText(text: string, source: string, sets: string[] = [], seed?: number): LoadedScenario {
  return loadScenarioValue(parseScenarioText(text, source), source, sets, seed);
}
