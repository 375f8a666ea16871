// Golden transcripts in vscode-js-debug's manner: a test logs what a DAP client sees (stops,
// threads, stacks, scopes, variables, exception info), volatile ids are replaced by placeholders
// and keys sorted, and the text is compared with test/debug/golden/<name>.txt. A missing file is
// written; MIGTRACE_UPDATE_TRANSCRIPTS=1 rewrites them all (after a model change on main:
// `MIGTRACE_UPDATE_TRANSCRIPTS=1 node scripts/run-tests.mjs test/debug`); a mismatch writes
// <name>.actual.txt beside it. A test that logged something it never compared fails.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const DIR = join(process.cwd(), 'test', 'debug', 'golden');
/** ids that differ between transports or runs of the adapter, replaced by <id> */
const VOLATILE = new Set(['seq', 'request_seq', 'variablesReference', 'frameId', 'progressId', 'id']);
const OMIT = new Set(['seq', 'request_seq', 'type']);

function stabilize(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => stabilize(x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      if (OMIT.has(k)) continue;
      out[k] = stabilize((v as Record<string, unknown>)[k], k);
    }
    return out;
  }
  if (VOLATILE.has(key) && typeof v === 'number') return v === 0 ? 0 : '<id>';
  return v;
}

export class GoldenLog {
  private lines: string[] = [];
  private unasserted = false;

  constructor(readonly name: string) {}

  log(label: string, value: unknown): void {
    this.lines.push(`${label}: ${JSON.stringify(stabilize(value), null, 2)}`);
    this.unasserted = true;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  /** Compares everything logged so far with the golden file. */
  assertLog(): void {
    this.unasserted = false;
    mkdirSync(DIR, { recursive: true });
    const file = join(DIR, `${this.name}.txt`);
    const actual = this.text();
    if (!existsSync(file) || process.env.MIGTRACE_UPDATE_TRANSCRIPTS === '1') {
      writeFileSync(file, actual);
      return;
    }
    const want = readFileSync(file, 'utf8');
    if (want !== actual) writeFileSync(join(DIR, `${this.name}.actual.txt`), actual);
    assert.equal(actual, want, `transcript ${this.name} differs from ${file} (see ${this.name}.actual.txt; MIGTRACE_UPDATE_TRANSCRIPTS=1 rewrites it)`);
  }

  /** Call at the end of a test: something logged but never compared is a failure. */
  done(): void {
    assert.equal(this.unasserted, false, `transcript ${this.name}: events were logged but never compared (call assertLog)`);
  }
}
