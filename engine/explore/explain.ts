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
    between: (Executed & { times: number })[];
    then: Executed | null;
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

export function decisionText(d: NonNullable<Explanation['decision']>): string {
  const lines: string[] = [];
  lines.push(`decision ${d.index} at t=${formatNs(d.time_ns)}: "${d.ran.thread}" ran ${stmt(d.ran)}${d.ahead_of === null ? '' : ` ahead of "${d.ahead_of.thread}", which stood at ${stmt(d.ahead_of)}`}.`);
  if (d.between.length > 0) {
    lines.push(`Before "${d.ran.thread}" ran again:`);
    for (const b of d.between) lines.push(`  "${b.thread}" ran ${stmt(b)}${b.times > 1 ? ` (${b.times} times)` : ''}`);
  }
  if (d.then !== null) lines.push(`Then "${d.then.thread}" ran ${stmt(d.then)}.`);
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
    between: window.between,
    then: window.then,
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
