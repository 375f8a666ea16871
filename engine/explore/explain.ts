// The explanation of a failing schedule, printed by `migtrace explore` and stored in the shrunk
// trace's header: the verdict, every thread's state, wait reason and backtrace, the held-by chain,
// and the decision that made the difference, told in the model's QEMU statements: which thread
// ran which statement ahead of which other, what ran before the first thread went on, and that the
// default choice there avoids the failure (a run that proves it).

import { formatNs, type HangReport } from '../sim/hangReport';
import { VERDICT, type FailureKind } from './signature';
import type { DecisionWindow, Executed } from './decisionWindow';

export interface Explanation {
  verdict: string;
  kind: FailureKind;
  summary: string;
  /** "thread": waits for X, which is held by Y */
  chain: string[];
  threads: { name: string; state: string; waits: string; holding: string[]; backtrace: string[]; involved: boolean }[];
  /** the decision that made the difference, or null when the default schedule fails by itself */
  decision: null | {
    index: number;
    time_ns: number;
    ran: Executed;
    ahead_of: Executed | null;
    /** what the two threads ran next, until both were off the CPU */
    after: (Executed & { times: number })[];
    /** the outcome when this decision goes the default way (the run that shows it made the difference) */
    flipped_outcome: string;
  };
  /** deviations from the default schedule in the schedule explained */
  deviations: number;
  text: string;
}

function stmt(e: Executed): string {
  return `\`${e.statement}\` (${e.fn})`;
}

/**
 * The interleaving in one sentence: the last place where one of the two threads ran between two
 * statements of the other (an atomicity the code assumed and the schedule broke).
 */
export function inShort(d: NonNullable<Explanation['decision']>): string | null {
  const seq = [{ ...d.ran, times: 1 }, ...d.after];
  let found: { a1: Executed; mid: Executed[]; a2: Executed } | null = null;
  for (let i = 0; i < seq.length; i++) {
    for (let j = i + 2; j < seq.length; j++) {
      if (seq[j].thread !== seq[i].thread) continue;
      const mid = seq.slice(i + 1, j);
      if (mid.length > 0 && mid.every((m) => m.thread !== seq[i].thread)) found = { a1: seq[i], mid, a2: seq[j] };
      break;
    }
  }
  if (found === null) return null;
  const fns = [...new Set(found.mid.map((m) => m.fn))];
  const last = found.mid[found.mid.length - 1];
  return `In short: between "${found.a1.thread}"'s \`${found.a1.statement}\` and its \`${found.a2.statement}\` (${found.a2.fn}), "${last.thread}" ran ${fns.join(', ')}, up to \`${last.statement}\`.`;
}

export function decisionText(d: NonNullable<Explanation['decision']>): string {
  const lines: string[] = [];
  lines.push(`decision ${d.index} at t=${formatNs(d.time_ns)}: "${d.ran.thread}" ran ${stmt(d.ran)}${d.ahead_of === null ? '' : ` ahead of "${d.ahead_of.thread}", which stood at ${stmt(d.ahead_of)}`}.`);
  if (d.after.length > 0) {
    lines.push('Then, until both were off the CPU:');
    for (const b of d.after) lines.push(`  "${b.thread}" ran ${stmt(b)}${b.times > 1 ? ` (${b.times} times)` : ''}`);
  }
  const short = inShort(d);
  if (short !== null) lines.push(short);
  if (d.ahead_of !== null) lines.push(`With "${d.ahead_of.thread}" first here, as the default schedule has it, the run ends ${d.flipped_outcome}.`);
  return lines.join('\n');
}

export function explain(
  kind: FailureKind,
  summary: string,
  hang: HangReport | null,
  window: DecisionWindow | null,
  flipped_outcome: string,
  deviations: number,
  warnings: string[],
): Explanation {
  const byTid = new Map((hang?.threads ?? []).map((t) => [t.tid, t]));
  const chain = (hang?.chain ?? []).map((l) => `"${byTid.get(l.tid)?.name ?? l.tid}": ${l.waits}, ${l.because}`);
  const threads = (hang?.threads ?? []).map((t) => ({ name: t.name, state: t.state, waits: t.waits, holding: t.holding, backtrace: t.backtrace, involved: t.involved }));
  threads.sort((a, b) => Number(b.involved) - Number(a.involved));
  const decision = window === null ? null : {
    index: window.decision,
    time_ns: window.time_ns,
    ran: window.ran,
    ahead_of: window.other,
    after: window.after,
    flipped_outcome,
  };
  const lines: string[] = [];
  lines.push(`verdict: ${VERDICT[kind]}${hang !== null ? ` at t=${formatNs(hang.time_ns)}` : ''}: ${summary}`);
  for (const w of warnings) lines.push(`  ${w}`);
  if (chain.length > 0) {
    lines.push('');
    lines.push('held-by chain:');
    for (const c of chain) lines.push(`  ${c}`);
  }
  if (threads.length > 0) {
    lines.push('');
    lines.push('threads:');
    for (const t of threads) {
      lines.push(`  "${t.name}" ${t.state}${t.waits ? `, ${t.waits}` : ''}${t.holding.length > 0 ? `, holding ${t.holding.map((h) => `"${h}"`).join(', ')}` : ''}${t.involved ? '' : ' (not involved)'}`);
      if (t.involved) t.backtrace.forEach((f, i) => lines.push(`    #${i}  ${f}`));
    }
  }
  lines.push('');
  if (decision === null) lines.push('the decision that made the difference: none; the default schedule fails by itself.');
  else {
    lines.push(`the decision that made the difference (${deviations === 1 ? 'the one deviation from the default schedule' : `of ${deviations} deviations from the default schedule`}):`);
    lines.push(decisionText(decision));
  }
  return { verdict: VERDICT[kind], kind, summary, chain, threads, decision, deviations, text: lines.join('\n') };
}
