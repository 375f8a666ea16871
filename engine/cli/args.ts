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
  /** int: the smallest and largest value allowed (default: any safe integer) */
  min?: number;
  max?: number;
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
  const given = new Map<string, string>();
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
      if (f === undefined) throw new UsageError(`unknown flag --${name} for "${spec.name}"${suggest(name, [...byName.keys()])}; its flags: ${flagList(spec)}`, spec.name);
    } else if (a.startsWith('-') && a.length === 2 && !/^-\d$/.test(a)) {
      f = byShort.get(a.slice(1));
      if (f === undefined) throw new UsageError(`unknown flag ${a} for "${spec.name}"; its flags: ${flagList(spec)}`, spec.name);
    } else if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      throw new UsageError(`unknown flag ${a} for "${spec.name}" (flags are spelled --name)${suggest(a.replace(/^-+/, ''), [...byName.keys()])}; its flags: ${flagList(spec)}`, spec.name);
    } else {
      out.positionals.push(a);
      continue;
    }
    if (f.kind === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${f.name} takes no value, got "${inline}"`, spec.name);
      out.flags[f.name] = true;
      continue;
    }
    const want = f.value ?? 'VALUE';
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${f.name} needs a value (${want}) after it`, spec.name);
    // `--out --json` means a forgotten value, not a file named "--json".
    if (inline === undefined && looksLikeFlag(v, byShort)) throw new UsageError(`--${f.name} needs a value (${want}), got the flag ${v}; write --${f.name}=VALUE if the value really starts with "-"`, spec.name);
    if (v === '') throw new UsageError(`--${f.name} needs a value (${want}), got an empty string`, spec.name);
    if (f.kind !== 'repeat') {
      const prev = given.get(f.name);
      if (prev !== undefined) throw new UsageError(`--${f.name} is given twice ("${prev}" and "${v}"); give it once`, spec.name);
      given.set(f.name, v);
    }
    if (f.kind === 'int') {
      out.flags[f.name] = parseIntFlag(f, v, spec.name);
    } else if (f.kind === 'repeat') {
      const prev = out.flags[f.name];
      out.flags[f.name] = Array.isArray(prev) ? [...prev, v] : [v];
    } else {
      out.flags[f.name] = v;
    }
  }
  const required = spec.positionals.filter((p) => !p.optional);
  if (out.positionals.length < required.length) {
    const missing = required.slice(out.positionals.length);
    throw new UsageError(`"${spec.name}" needs ${missing.map((p) => `<${p.name}> (${p.help})`).join(' ')}`, spec.name);
  }
  if (out.positionals.length > spec.positionals.length && !spec.positionals[spec.positionals.length - 1]?.variadic) {
    throw new UsageError(`"${spec.name}" takes ${spec.positionals.length === 0 ? 'no arguments' : `${spec.positionals.length} argument(s): ${spec.positionals.map((p) => `<${p.name}>`).join(' ')}`}; got extra: ${out.positionals.slice(spec.positionals.length).join(' ')}`, spec.name);
  }
  for (const [i, p] of out.positionals.entries()) {
    const def = spec.positionals[Math.min(i, spec.positionals.length - 1)];
    if (p === '') throw new UsageError(`<${def.name}> is an empty string; expected ${def.help}`, spec.name);
  }
  return out;
}

function looksLikeFlag(v: string, byShort: Map<string, FlagSpec>): boolean {
  if (v.startsWith('--')) return true;
  return v.length === 2 && v[0] === '-' && byShort.has(v[1]);
}

function intRange(f: FlagSpec): string {
  const max = f.max === Number.MAX_SAFE_INTEGER ? undefined : f.max;
  return f.min !== undefined && max !== undefined ? `${f.min} to ${max}` : f.min !== undefined ? `${f.min} or more` : max !== undefined ? `${max} or less` : 'any';
}

function parseIntFlag(f: FlagSpec, v: string, cmd: string): number {
  const range = intRange(f);
  if (!/^[-+]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${f.name} must be an integer (${range}), got "${v}"`, cmd);
  const n = Number(v);
  if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) throw new UsageError(`--${f.name} must be ${range}, got ${n}`, cmd);
  return n;
}

function flagList(spec: CommandSpec): string {
  return spec.flags.length === 0 ? '(none)' : spec.flags.map((f) => `--${f.name}`).join(', ');
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
      lines.push(`  ${left.padEnd(24)} ${f.help}${f.kind === 'repeat' ? ' (repeatable)' : ''}${f.kind === 'int' ? ` (an integer, ${intRange(f)})` : ''}`);
    }
  }
  return lines.join('\n');
}
