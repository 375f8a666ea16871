// Failures by kind and signature, so that a thousand hits of one bug are one row. The kind is the
// verdict (deadlock, lost wakeup, every thread blocked, no progress, data loss, did not converge,
// failed); the signature is what stays the same from one hit of a bug to the next: the held-by
// chain (who waits for what, held by whom) with each thread's top frames, numbers taken out
// (channel 0 and channel 2 of one multifd bug are one bug), a cycle started at the same link.

import type { HangReport } from '../sim/hangReport';
import { hashCreate, hashHex, hashString } from '../sim/hash';
import type { RunSummary } from './target';

export type FailureKind = 'deadlock' | 'lost-wakeup' | 'all-blocked' | 'no-progress' | 'data-loss' | 'not-converged' | 'failed';

export const VERDICT: Record<FailureKind, string> = {
  deadlock: 'deadlock (a wait-for cycle)',
  'lost-wakeup': 'lost wakeup (a waiter nobody will wake)',
  'all-blocked': 'deadlock (every live thread blocked)',
  'no-progress': 'livelock or stall (no migration progress within the watchdog)',
  'data-loss': 'data loss (a page stale at the destination after switchover)',
  'not-converged': 'non-convergence (cancelled at the scenario limits)',
  failed: 'migration failed',
};

export interface Failure {
  kind: FailureKind;
  /** the normalised chain: equal for every hit of one bug */
  signature: string;
  /** short id of kind + signature */
  group: string;
  /** where the migration thread was (its caller frames), e.g. "ram_save_complete": shown per group */
  where: string;
}

/** Frames of each thread that the signature keeps, innermost first. */
export const SIGNATURE_FRAMES_DEFAULT = 1;

/** Numbers out: "send_0.sem" and "send_2.sem" are one object of one bug; counts and times go. */
export function normalise(text: string): string {
  return text.replace(/\s*\([^()]*\d[^()]*\)/g, '').replace(/\d+(\.\d+)?/g, '#');
}

function hangSignature(h: HangReport, frames: number): { signature: string; where: string } {
  const byTid = new Map(h.threads.map((t) => [t.tid, t]));
  const links = h.chain.map((l) => {
    const t = byTid.get(l.tid);
    const top = (t?.backtrace ?? []).slice(0, frames).join(' < ');
    return `"${normalise(t?.name ?? String(l.tid))}" in ${top || '?'}: ${normalise(l.waits)}`;
  });
  let ordered = links;
  if (h.cycle && links.length > 1) {
    // A cycle reads the same from any of its links: start at the smallest.
    let best = 0;
    for (let i = 1; i < links.length; i++) if (links[i] < links[best]) best = i;
    ordered = [...links.slice(best), ...links.slice(0, best)];
  }
  if (ordered.length === 0) {
    ordered = h.threads.filter((t) => t.involved).map((t) => `"${normalise(t.name)}" in ${t.backtrace.slice(0, frames).join(' < ') || '?'}: ${normalise(t.waits)}`).sort();
  }
  const mig = h.threads.find((t) => t.name === 'migration' || t.name === 'mig/src/main');
  const where = mig === undefined ? '' : mig.backtrace.slice(0, 2).join(' < ');
  return { signature: ordered.join(' | '), where };
}

export function failureOf(r: RunSummary, frames = SIGNATURE_FRAMES_DEFAULT): Failure | null {
  let kind: FailureKind;
  let signature: string;
  let where = '';
  if (r.outcome === 'completed') return null;
  if (r.outcome === 'hang' && r.hang !== null) {
    kind = r.hang.kind;
    ({ signature, where } = hangSignature(r.hang, frames));
  } else if (r.outcome === 'data-loss') {
    kind = 'data-loss';
    signature = normalise(r.warnings.find((w) => /after the final sync/.test(w)) ?? r.reason);
  } else if (r.outcome === 'not-converged') {
    kind = 'not-converged';
    signature = normalise(r.reason);
  } else {
    kind = 'failed';
    signature = normalise(r.reason);
  }
  const h = hashCreate();
  hashString(h, `${kind}\n${signature}`);
  return { kind, signature, group: hashHex(h).slice(0, 8), where };
}
