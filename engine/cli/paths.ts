// Paths the user gave on the command line, checked before any work: an output must be creatable
// (its directory exists and is a directory; it is not itself a directory or a device) and must not
// be one of the command's inputs (compared as files, so `./a/../x.migtrace`, a symbolic link or a
// hard link to an input counts too); an input must be a readable regular file.

import { closeSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, fsWhy } from './errors';

/** A path and the flag or argument that gave it ("--out", "<trace>"), for messages. */
export interface PathArg {
  path: string;
  what: string;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  if (s.isFile()) return 'a file';
  return 'not a regular file';
}

/** Whether two paths name the same file (same device and inode), following links. */
export function sameFile(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The first component of `dir` (as the user spelled it) that is missing or not a directory, and why. */
function brokenComponent(dir: string): { at: string; why: string } | null {
  const parts = dir.split('/');
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    cur = i === 0 ? parts[0] : `${cur}/${parts[i]}`;
    if (cur === '' || parts[i] === '') continue;
    let s: Stats;
    try {
      s = statSync(cur);
    } catch (e) {
      return { at: cur, why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read: ${fsWhy(e as NodeJS.ErrnoException)}` };
    }
    if (!s.isDirectory()) return { at: cur, why: `is ${kindOf(s)}, not a directory` };
  }
  return null;
}

/** Refuses an output path that cannot be a file we create, or that is an input of the command. */
export function checkOutputPath(out: PathArg, inputs: readonly PathArg[] = []): void {
  const { path, what } = out;
  if (path.endsWith('/')) throw new CliError(`${what} ${path}: names a directory; expected a file name`);
  const dir = dirname(path);
  const bad = brokenComponent(dir);
  if (bad !== null) {
    const detail = bad.at === dir ? `its directory ${dir} ${bad.why}` : bad.why === 'does not exist' ? `its directory ${dir} does not exist (${bad.at} does not)` : `${bad.at} ${bad.why}`;
    throw new CliError(`${what} ${path}: cannot be created: ${detail}`);
  }
  const s = statOrNull(path);
  if (s !== null && !s.isFile()) throw new CliError(`${what} ${path}: is ${kindOf(s)}; expected a file name to write${s.isDirectory() ? ` (e.g. ${path.replace(/\/$/, '')}/out)` : ''}`);
  for (const inp of inputs) {
    for (const target of [path, `${path}.partial`]) {
      if (sameFile(target, inp.path)) {
        throw new CliError(`${what} ${path}: ${target === path ? 'is' : `would be written through ${target}, which is`} the input ${inp.what} ${inp.path} of this command; writing it would destroy it: choose another output name`);
      }
    }
  }
}

/** Refuses an input that is missing, unreadable or not a regular file. */
export function checkInputFile(inp: PathArg, expected: string): void {
  let s: Stats;
  try {
    s = statSync(inp.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const bad = brokenComponent(dirname(inp.path));
      throw new CliError(`${inp.what} ${inp.path}: no such file${bad !== null ? ` (${bad.at} ${bad.why})` : ''}; expected ${expected}`);
    }
    throw new CliError(`${inp.what} ${inp.path}: cannot be read: ${fsWhy(e as NodeJS.ErrnoException)}`);
  }
  if (!s.isFile()) throw new CliError(`${inp.what} ${inp.path}: is ${kindOf(s)}; expected ${expected}`);
  try {
    closeSync(openSync(inp.path, 'r'));
  } catch (e) {
    throw new CliError(`${inp.what} ${inp.path}: cannot be read: ${fsWhy(e as NodeJS.ErrnoException)}`);
  }
}

/** Refuses a directory argument that does not exist or is not a directory. */
export function checkDirectory(d: PathArg, expected: string): void {
  const s = statOrNull(d.path);
  if (s === null) {
    const bad = brokenComponent(d.path);
    throw new CliError(`${d.what} ${d.path}: ${bad !== null && bad.at !== d.path ? `no such directory (${bad.at} ${bad.why})` : 'no such directory'}; expected ${expected}`);
  }
  if (!s.isDirectory()) throw new CliError(`${d.what} ${d.path}: is ${kindOf(s)}; expected ${expected}`);
}
