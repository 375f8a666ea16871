// What the `migtrace` command says when a command fails. Anything a user can cause (a bad flag, a
// bad file, a bad scenario, a damaged trace, a path that cannot be written) is one line naming
// what was wrong, where, and what was expected, with the exit code of its kind; only a bug in
// migtrace itself prints "internal error", with the stack and a request to report it.

import { UsageError, type CommandSpec } from './args';
import type { CliIO } from './io';
import { QemuRunError } from '../qemu/qemuRun';
import { BootImageError } from '../qemu/bootImage';
import { QmpError } from '../qemu/qmp';
import { ScenarioError } from '../scenario/validate';
import { TraceError } from '../trace/format';
import { TraceDamagedError } from '../trace/reader';
import { ENGINE_VERSION } from '../version';

/** Exit codes of every command (listed by `migtrace --help` and in README.md). */
export const EXIT = { ok: 0, internal: 1, usage: 2, hang: 3, invariant: 4, failed: 5, diverged: 6, damaged: 7 } as const;

export const EXIT_CODES_HELP = [
  '0 completed',
  '1 internal error (a bug in migtrace: please report it)',
  '2 bad usage or bad input (a flag, a file, a scenario, a path that cannot be written)',
  '3 hang',
  '4 data lost (a page stale at switchover)',
  '5 failed, cancelled or did not converge',
  '6 replay diverged from its trace',
  '7 the trace is damaged or incomplete (what could be read is still printed or exported)',
];

export const SCENARIO_DOCS = 'scenario keys, sizes and units: README.md "Scenarios" and dist/scenario.schema.json (generated from engine/scenario/schema.ts)';

/** The lines every command's --help ends with: its exit codes, and where scenario keys are documented. */
export function helpFooter(spec: CommandSpec): string {
  const takesScenario = spec.positionals.some((p) => p.name === 'scenario');
  return ['', `exit codes: ${EXIT_CODES_HELP.map((l) => l.replace(/ \(.*\)$/, '')).join('; ')}`, ...(takesScenario ? [SCENARIO_DOCS] : [])].join('\n');
}

/** A problem the user can fix, found by the CLI: printed as one line, exit `exit`. */
export class CliError extends Error {
  constructor(message: string, readonly exit: number = EXIT.usage) {
    super(message);
    this.name = 'CliError';
  }
}

const FS_WHY: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'device or resource busy',
  ETXTBSY: 'text file busy',
  EXDEV: 'on another file system',
  EINVAL: 'invalid argument',
};

/** A file-system error the user's environment caused (not a bug): code and path are present. */
export function isFsError(e: unknown): e is NodeJS.ErrnoException & { code: string; dest?: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code! in FS_WHY && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** "no such file or directory (ENOENT)" for an fs error. */
export function fsWhy(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  return `${FS_WHY[code] ?? e.message} (${code})`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}

/** Prints the error of command `cmd` and returns its exit code. */
export function reportError(cmd: string, e: unknown, io: CliIO): number {
  const say = (m: string) => io.err(`migtrace ${cmd}: ${m}`);
  if (e instanceof UsageError) {
    say(`${oneLine(e.message)} (see \`migtrace ${cmd} --help\`)`);
    return EXIT.usage;
  }
  if (e instanceof CliError) {
    say(oneLine(e.message));
    return e.exit;
  }
  if (e instanceof ScenarioError) {
    // One line per problem: all of them, so one edit can fix them all.
    say(e.message);
    return EXIT.usage;
  }
  if (e instanceof TraceError) {
    say(oneLine(e.message));
    return e instanceof TraceDamagedError ? EXIT.damaged : EXIT.usage;
  }
  if (e instanceof QemuRunError || e instanceof BootImageError) {
    say(oneLine(e.message));
    return EXIT.usage;
  }
  if (e instanceof QmpError) {
    say(`QEMU: ${oneLine(e.message)}`);
    return EXIT.failed;
  }
  if (isFsError(e)) {
    say(`cannot ${e.syscall}${e.path ? ` ${e.path}` : ''}${e.dest ? ` to ${e.dest}` : ''}: ${fsWhy(e)}`);
    return EXIT.usage;
  }
  io.err(internalErrorText(e));
  return EXIT.internal;
}

export function internalErrorText(e: unknown): string {
  const what = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return `migtrace: internal error (a bug in migtrace ${ENGINE_VERSION}; please report it with the command you ran and this text):\n${what}`;
}
