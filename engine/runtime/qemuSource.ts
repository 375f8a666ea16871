// Frames in a real QEMU source tree: when the launch names one (`qemuSource`), a frame opens the
// real function in that tree, at its definition's first line, instead of the model's listing.
// The tree is searched once per session for the model's function names, folders that hold the
// migration code first; a name QEMU does not have (or spells differently in that version) keeps
// the listing.

import type { FileAccess } from './host';

export interface SourcePlace { path: string; line: number }

/** Folders of a QEMU tree where the model's functions live, searched first. */
const FIRST = ['migration', 'system', 'softmmu', 'accel/kvm', 'accel', 'util', 'cpus-common.c', 'cpus.c', 'vl.c', 'savevm.c', 'arch_init.c', 'main-loop.c', 'migration.c', 'buffered_file.c'];
/** Bounds on the walk: files read and folder depth. */
const MAX_FILES = 20_000;
const MAX_DEPTH = 8;

function definitionLine(text: string, name: string): number {
  const re = new RegExp(`^(?:[A-Za-z_][\\w \\t\\*]*[ \\t\\*])?${name}\\s*\\(`, 'm');
  let from = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const rest = text.slice(from);
    const m = re.exec(rest);
    if (m === null) return -1;
    const at = from + m.index;
    const lineEnd = text.indexOf('\n', at);
    const line = text.slice(at, lineEnd < 0 ? undefined : lineEnd);
    // A prototype or a call ends in ';' on the same line; a definition does not.
    if (!line.includes(';') && !/^\s*(return|if|while|for)\b/.test(line)) return text.slice(0, at).split('\n').length;
    from = lineEnd < 0 ? text.length : lineEnd + 1;
  }
  return -1;
}

export class QemuSourceIndex {
  private readonly found = new Map<string, SourcePlace>();
  files = 0;

  private constructor(readonly root: string) {}

  lookup(name: string): SourcePlace | null {
    return this.found.get(name) ?? null;
  }

  get size(): number {
    return this.found.size;
  }

  /** Searches `root` for the definitions of `names`. */
  static async build(fs: FileAccess, root: string, names: readonly string[]): Promise<QemuSourceIndex> {
    const idx = new QemuSourceIndex(root);
    const want = new Set(names);
    const queue: { path: string; depth: number }[] = FIRST.map((p) => ({ path: fs.join(root, p), depth: 1 }));
    queue.push({ path: root, depth: 0 });
    const visited = new Set<string>();
    while (queue.length > 0 && want.size > 0 && idx.files < MAX_FILES) {
      const { path, depth } = queue.shift()!;
      if (visited.has(path)) continue;
      visited.add(path);
      if (path.endsWith('.c')) {
        await idx.scanFile(fs, path, want);
        continue;
      }
      const entries = await fs.listDir(path);
      for (const e of entries.sort()) {
        if (e.endsWith('/')) {
          if (depth < MAX_DEPTH && !e.startsWith('.') && e !== 'build/' && e !== 'tests/') queue.push({ path: fs.join(path, e.slice(0, -1)), depth: depth + 1 });
        } else if (e.endsWith('.c')) {
          const p = fs.join(path, e);
          if (!visited.has(p)) {
            visited.add(p);
            await idx.scanFile(fs, p, want);
          }
        }
      }
    }
    return idx;
  }

  private async scanFile(fs: FileAccess, path: string, want: Set<string>): Promise<void> {
    this.files++;
    let text: string;
    try {
      text = new TextDecoder().decode(await fs.readFile(path));
    } catch {
      return;
    }
    for (const name of [...want]) {
      if (!text.includes(name)) continue;
      const line = definitionLine(text, name);
      if (line > 0) {
        this.found.set(name, { path, line });
        want.delete(name);
      }
    }
  }
}
