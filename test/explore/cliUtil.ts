// Running the shipped command (bin/migtrace.js → dist/cli.js, with dist/exploreWorker.js) as a user
// does, in a temporary directory, for the schedule-search tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/migtrace.js');

/** multifd-sync-hang on a 128 MiB guest: the same design and bug, a run of a few milliseconds. */
export const TINY = ['--set', 'guest.memory=128M', '--set', 'guest.workload.nonzero-memory=96M', '--set', 'guest.workload.working-set=32M'];

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `migtrace-${prefix}-`));
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function migtrace(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: o.cwd, env: cleanEnv(o.env ?? {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function migtraceAsync(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, env: cleanEnv(o.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The environment a batch system gives a shard, without the parent's own batch variables. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(JOB_COMPLETION_INDEX|SLURM_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}
