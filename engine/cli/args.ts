// Command-line parsing for the `migtrace` command: each command declares its positional arguments
// and flags, and `parseArgs` checks them, so a bad flag or value is exit code 2 with a message that
// names it, and `--help` for any command is generated from the same declaration.

import { closestName } from '../util/closest';

export type FlagKind = 'bool' | 'string' | 'int' | 'repeat';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  /** placeholder shown in help, e.g. N or FILE */
  value?: string;
  short?: string;
}

export interface PositionalSpec {
  name: string;
  help: string;
  optional?: boolean;
  /** the last positional may take any number of values (one or more) */
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: FlagSpec[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | number | string[]>;
}

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const byShort = new Map(spec.flags.filter((f) => f.short).map((f) => [f.short as string, f]));
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let f: FlagSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      f = byName.get(name);
      if (f === undefined) throw new UsageError(`unknown flag --${name} for "${spec.name}"${suggest(name, [...byName.keys()])}`, spec.name);
    } else if (a.startsWith('-') && a.length === 2) {
      f = byShort.get(a.slice(1));
      if (f === undefined) throw new UsageError(`unknown flag ${a} for "${spec.name}"`, spec.name);
    } else {
      out.positionals.push(a);
      continue;
    }
    if (f.kind === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${f.name} takes no value`, spec.name);
      out.flags[f.name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${f.name} needs a value (${f.value ?? 'VALUE'})`, spec.name);
    if (f.kind === 'int') {
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${f.name} must be an integer, got "${v}"`, spec.name);
      out.flags[f.name] = Number(v);
    } else if (f.kind === 'repeat') {
      const prev = out.flags[f.name];
      out.flags[f.name] = Array.isArray(prev) ? [...prev, v] : [v];
    } else {
      out.flags[f.name] = v;
    }
  }
  const required = spec.positionals.filter((p) => !p.optional).length;
  if (out.positionals.length < required) {
    throw new UsageError(`"${spec.name}" needs ${spec.positionals.filter((p) => !p.optional).map((p) => `<${p.name}>`).join(' ')}`, spec.name);
  }
  if (out.positionals.length > spec.positionals.length && !spec.positionals[spec.positionals.length - 1]?.variadic) {
    throw new UsageError(`"${spec.name}" takes ${spec.positionals.length} argument(s), got extra: ${out.positionals.slice(spec.positionals.length).join(' ')}`, spec.name);
  }
  return out;
}

function suggest(name: string, known: string[]): string {
  const best = closestName(name, known);
  return best === undefined ? '' : ` (did you mean --${best}?)`;
}

export function commandHelp(spec: CommandSpec): string {
  const usage = [`migtrace ${spec.name}`, ...spec.positionals.map((p) => `${p.optional ? `[${p.name}]` : `<${p.name}>`}${p.variadic ? '...' : ''}`)];
  if (spec.flags.length > 0) usage.push('[flags]');
  const lines = [`usage: ${usage.join(' ')}`, '', spec.summary];
  if (spec.positionals.length > 0) {
    lines.push('', 'arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(24)} ${p.help}`);
  }
  if (spec.flags.length > 0) {
    lines.push('', 'flags:');
    for (const f of spec.flags) {
      const left = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.kind === 'bool' ? '' : ` ${f.value ?? 'VALUE'}`}`;
      lines.push(`  ${left.padEnd(24)} ${f.help}${f.kind === 'repeat' ? ' (repeatable)' : ''}`);
    }
  }
  return lines.join('\n');
}
