// Drives the shipped command (`node bin/migtrace.js`, as a user runs it) as a child process, and
// checks a bad-input case the way a user would judge it: the exit code, one clear line on stderr
// (no stack, no "internal error") naming the offending path or flag, every input file unchanged
// (sha256), and no stray output: nothing new in the case's own directory but what it may write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const BIN = resolve('bin/migtrace.js');

export interface CliResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/migtrace.js ...args` in `cwd`; killed after `timeout_ms` (status null then). */
export function cli(args: readonly string[], cwd: string, timeout_ms = 120_000, command: readonly string[] = [process.execPath, BIN]): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(command[0], [...command.slice(1), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout_ms);
    p.on('error', rej);
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      res({ status, signal, stdout, stderr });
    });
  });
}

/** Runs `f` over `items`, `width` at a time (the machine has two cores). */
export async function inPool<T>(items: readonly T[], width: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

export function sha256(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/** Every file and directory under `dir`, relative to it. */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

export interface BadCase {
  /** the arguments after `migtrace` (paths relative to the case's own directory) */
  args: string[];
  exit: number;
  /** strings stderr must contain: the offending path or flag */
  names: string[];
  /** what it must say was wrong */
  says?: RegExp;
  /** files (or directories, as null) made in the case's own directory before the run */
  files?: Record<string, string | Uint8Array | null>;
  /** files whose sha256 must not change (default: every file in `files`) */
  inputs?: string[];
  /** files the command may write (e.g. the export of a damaged trace); anything else is stray */
  creates?: string[];
  /** stderr lines expected (1 unless said) */
  lines?: number;
  /** makes what files cannot say (a symbolic link, a named pipe, a mode) in the case's directory */
  prepare?: (dir: string) => void;
  /** checks after the run (the case's directory is given) */
  after?: (dir: string, r: CliResult) => void;
}

export interface Row {
  args: string;
  exit: number | null;
  stderr: string;
}

export const ROWS: Row[] = [];

/** Makes the case's directory and files, runs it, and checks everything a user would. */
export async function checkCase(root: string, c: BadCase, index: number): Promise<CliResult> {
  const dir = join(root, `case-${index}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files ?? {})) {
    const p = join(dir, name);
    mkdirSync(content === null ? p : dirname(p), { recursive: true });
    if (content !== null) writeFileSync(p, content);
  }
  c.prepare?.(dir);
  const inputs = c.inputs ?? Object.entries(c.files ?? {}).filter(([, v]) => v !== null).map(([k]) => k);
  const before = new Map(inputs.map((p) => [p, sha256(join(dir, p))]));
  const listed = new Set(listing(dir));
  const r = await cli(c.args, dir);
  const label = `migtrace ${c.args.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  ROWS.push({ args: label.replace(root, '.'), exit: r.status, stderr: r.stderr.trim() });
  checkResult(label, r, c);
  for (const [p, h] of before) assert.equal(sha256(join(dir, p)), h, `${label}: the input ${p} changed`);
  const allowed = new Set(c.creates ?? []);
  const stray = listing(dir).filter((p) => !listed.has(p) && !allowed.has(p));
  assert.deepEqual(stray, [], `${label}: left files it should not have`);
  c.after?.(dir, r);
  return r;
}

/** The exit code and the one clear line. */
export function checkResult(label: string, r: CliResult, c: Pick<BadCase, 'exit' | 'names' | 'says' | 'lines'>): void {
  assert.equal(r.status, c.exit, `${label}: exit ${r.status} (signal ${r.signal}), expected ${c.exit}; stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${label}: a stack trace:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/i, `${label}: "internal error":\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, c.lines ?? 1, `${label}: ${lines.length} lines on stderr, expected ${c.lines ?? 1}:\n${r.stderr}`);
  for (const n of c.names) assert.ok(r.stderr.includes(n), `${label}: stderr does not name ${JSON.stringify(n)}:\n${r.stderr}`);
  if (c.says) assert.match(r.stderr, c.says, `${label}: stderr does not say what was wrong`);
  assert.ok(lines.every((l) => l.length >= 20), `${label}: a line too short to be clear:\n${r.stderr}`);
}

/** Appends the rows to $MIGTRACE_BAD_TABLE (a Markdown table for a report), if it is set. */
export function writeTable(title: string): void {
  const f = process.env.MIGTRACE_BAD_TABLE;
  if (!f) return;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ⏎ ');
  appendFileSync(f, `\n### ${title}\n\n| command | exit | stderr |\n|---|---|---|\n${ROWS.map((r) => `| \`${cell(r.args)}\` | ${r.exit} | ${cell(r.stderr)} |`).join('\n')}\n`);
  ROWS.length = 0;
}
