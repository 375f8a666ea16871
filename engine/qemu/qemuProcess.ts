// QEMU processes started by migtrace: spawned with a bounded lifetime, tracked so that every one
// is killed on any failure, on Ctrl-C and when the command exits, and never left behind.

import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let hooked = false;

/** Runs `fn` if the process is interrupted or exits before `release` is called (work directories). */
export function onAbnormalExit(fn: () => void): { release: () => void } {
  hookExit();
  cleanups.add(fn);
  return { release: () => cleanups.delete(fn) };
}

function killAll(): void {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
  cleanups.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface QemuHandle {
  name: string;
  proc: ChildProcess;
  pid: number;
  stderr: string[];
  exited: Promise<number | null>;
  /** ends the process: SIGTERM, then SIGKILL after `grace_ms` */
  stop(grace_ms?: number): Promise<void>;
}

export class QemuStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QemuStartError';
  }
}

/** Starts a QEMU; it is killed after `lifetime_ms` whatever happens. */
export function startQemu(name: string, binary: string, args: string[], lifetime_ms: number): QemuHandle {
  hookExit();
  let proc: ChildProcess;
  try {
    proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new QemuStartError(`${name}: cannot start ${binary}: ${(e as Error).message}`);
  }
  live.add(proc);
  const stderr: string[] = [];
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => {
    if (stderr.length < 200) stderr.push(d);
  });
  const limit = setTimeout(() => proc.kill('SIGKILL'), lifetime_ms);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      clearTimeout(limit);
      live.delete(proc);
      resolve(code);
    });
    proc.once('error', (e) => {
      clearTimeout(limit);
      live.delete(proc);
      stderr.push(`${e.message}\n`);
      resolve(null);
    });
  });
  const handle: QemuHandle = {
    name,
    proc,
    pid: proc.pid ?? -1,
    stderr,
    exited,
    async stop(grace_ms = 2000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), grace_ms);
      await exited;
      clearTimeout(t);
    },
  };
  return handle;
}

/** QEMU processes still running (for tests: nothing may be left behind). */
export function liveQemuCount(): number {
  return live.size;
}
