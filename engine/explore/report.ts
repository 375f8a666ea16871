// The report of a search (one machine's, or a merge of shards'): outcomes, the failure groups with
// counts, rates and 95% intervals, first seeds, where they hit, their traces and shrunk witnesses
// with explanations; runs to the first hit; lock-order cycles; the closest call when nothing failed.
// Computed from a result alone, so the same result always gives the same report.

import { formatLockCycle, lockCycles, type LockCycle } from './lockOrder';
import type { GroupResult, SearchResult, Witness } from './results';
import { VERDICT, type FailureKind } from './signature';
import { pct, wilson95 } from './stats';

export interface ReportGroup {
  group: string;
  kind: FailureKind;
  verdict: string;
  signature: string;
  hits: number;
  rate: number;
  ci95: [number, number];
  first_seed: number;
  where: { where: string; hits: number }[];
  traces: string[];
  example: GroupResult['example'];
  witness: Witness | null;
}

export interface Report {
  target: string;
  source: string;
  strategy: string;
  seeds: { first: number; runs: number };
  ran: number;
  complete: boolean;
  interrupted: boolean;
  outcomes: Record<string, number>;
  failures: number;
  failure_rate: number;
  failure_ci95: [number, number];
  /** runs a one-machine search in seed order makes up to and including its first failure */
  runs_to_first_hit: number | null;
  groups: ReportGroup[];
  lock_order: { edges: number; cycles: LockCycle[]; deadlocked_runs: number };
  closest_call: null | { measure: string; fails_at: number; best: { seed: number; value: number } | null; counts: { value: number; runs: number }[] };
  /** a guided search: its runs, and why the seeds that did not fail gave up (the reason with its decision index left out) */
  guided: null | { runs: number; failed: { seed: number; deviations: number }[]; gave_up: { reason: string; seeds: number[] }[] };
}

export function reportOf(r: SearchResult): Report {
  const ran = r.results.length;
  const outcomes: Record<string, number> = {};
  const kindOf = new Map(r.groups.map((g) => [g.group, g.kind]));
  let failures = 0;
  for (const s of r.results) {
    const key = s.group === null ? s.outcome : (kindOf.get(s.group) ?? s.outcome);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (s.group !== null) failures++;
  }
  const hitsOf = new Map<string, number>();
  for (const s of r.results) if (s.group !== null) hitsOf.set(s.group, (hitsOf.get(s.group) ?? 0) + 1);
  const groups: ReportGroup[] = r.groups.map((g) => {
    const hits = hitsOf.get(g.group) ?? 0;
    return {
      group: g.group,
      kind: g.kind,
      verdict: VERDICT[g.kind],
      signature: g.signature,
      hits,
      rate: ran > 0 ? hits / ran : 0,
      ci95: wilson95(hits, ran),
      first_seed: g.example.seed,
      where: Object.entries(g.where).map(([where, n]) => ({ where, hits: n })).sort((a, b) => b.hits - a.hits || (a.where < b.where ? -1 : 1)),
      traces: g.traces.map((t) => t.file),
      example: g.example,
      witness: g.witness,
    };
  }).sort((a, b) => b.hits - a.hits || a.first_seed - b.first_seed);
  // Runs to the first hit: known when every seed before the first failing one ran.
  let firstHit: number | null = null;
  for (let i = 0; i < r.results.length; i++) {
    const s = r.results[i];
    if (s.seed !== r.seeds.first + i) break;
    if (s.group !== null) {
      firstHit = i + 1;
      break;
    }
  }
  const deadlocked = r.results.filter((s) => s.group !== null && (kindOf.get(s.group) === 'deadlock' || kindOf.get(s.group) === 'all-blocked')).length;
  let closest: Report['closest_call'] = null;
  if (r.close_call !== null) {
    const counts = new Map<number, number>();
    let best: { seed: number; value: number } | null = null;
    for (const s of r.results) {
      if (s.close === null) continue;
      counts.set(s.close, (counts.get(s.close) ?? 0) + 1);
      if (s.group === null && s.close >= 0 && (best === null || s.close > best.value)) best = { seed: s.seed, value: s.close };
    }
    closest = { measure: r.close_call.measure, fails_at: r.close_call.fails_at, best, counts: [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, runs]) => ({ value, runs })) };
  }
  let guided: Report['guided'] = null;
  if (r.strategy.name === 'guided') {
    const reasons = new Map<string, number[]>();
    guided = { runs: 0, failed: [], gave_up: [] };
    for (const s of r.results) {
      if (s.guided === undefined) continue;
      guided.runs += s.guided.runs;
      if (s.guided.gave_up === null) guided.failed.push({ seed: s.seed, deviations: s.guided.deviations.length });
      else {
        const why = s.guided.gave_up.replace(/ \(?at decision \d+\)?/g, '');
        reasons.set(why, [...(reasons.get(why) ?? []), s.seed]);
      }
    }
    guided.gave_up = [...reasons.entries()].map(([reason, seeds]) => ({ reason, seeds })).sort((a, b) => b.seeds.length - a.seeds.length || a.seeds[0] - b.seeds[0]);
  }
  return {
    target: r.target.name,
    source: r.target.source,
    strategy: r.strategy.label,
    seeds: r.seeds,
    ran,
    complete: r.complete,
    interrupted: r.interrupted,
    outcomes,
    failures,
    failure_rate: ran > 0 ? failures / ran : 0,
    failure_ci95: wilson95(failures, ran),
    runs_to_first_hit: firstHit,
    groups,
    lock_order: { edges: r.lock_edges.length, cycles: lockCycles(r.lock_edges), deadlocked_runs: deadlocked },
    closest_call: closest,
    guided,
  };
}

const ci = (c: [number, number]): string => `95% CI ${pct(c[0])}-${pct(c[1])}`;

export function witnessLine(w: Witness): string {
  const d = w.depth;
  return `shrunk (seed ${w.seed}, ${w.method}, ${w.tests} runs): ${d} deviation${d === 1 ? '' : 's'} from the default schedule (of ${w.original_deviations}), depth ${d}${w.minimal ? ', each needed' : ', not proven minimal'}; PCT's bound for depth ${d}: 1/(n·k^${Math.max(0, d - 1)}) = ${pct(w.pct_bound)} per run (n=${w.threads} threads, k=${w.decisions} decisions)`;
}

export function formatReport(rep: Report, o: { explanations?: boolean } = {}): string {
  const lines: string[] = [];
  const last = rep.seeds.first + rep.seeds.runs - 1;
  lines.push(`${rep.target}: ${rep.strategy}, seeds ${rep.seeds.first}-${last} (${rep.ran} of ${rep.seeds.runs} runs${rep.interrupted ? ', interrupted' : rep.complete ? '' : ', incomplete'})`);
  lines.push(`outcomes: ${Object.entries(rep.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
  if (rep.failures === 0) {
    lines.push(`failures: none in ${rep.ran} runs (the failure rate per run is below ${pct(rep.failure_ci95[1])}, 95% confidence)`);
  } else {
    lines.push(`failures: ${rep.failures} of ${rep.ran} runs (${pct(rep.failure_rate)}, ${ci(rep.failure_ci95)})${rep.runs_to_first_hit === null ? '' : `; the first after ${rep.runs_to_first_hit} run${rep.runs_to_first_hit === 1 ? '' : 's'}`}`);
  }
  for (const g of rep.groups) {
    lines.push('');
    lines.push(`[${g.group}] ${g.verdict}: ${g.hits} hit${g.hits === 1 ? '' : 's'}, ${pct(g.rate)} per run (${ci(g.ci95)}), first seed ${g.first_seed}`);
    lines.push(`  signature: ${g.signature}`);
    if (g.where.length > 0) lines.push(`  migration thread in: ${g.where.map((w) => `${w.where} (${w.hits})`).join(', ')}`);
    for (const c of g.example.chain) lines.push(`  ${c}`);
    if (g.traces.length > 0) lines.push(`  traces: ${g.traces.join(', ')}`);
    const w = g.witness;
    if (w !== null) {
      lines.push(`  ${witnessLine(w)}`);
      if (w.trace !== null) lines.push(`  shrunk trace: ${w.trace}${w.replay_matched === null ? '' : w.replay_matched ? ' (migtrace replay reproduces it)' : ' (REPLAY DID NOT REPRODUCE IT)'}`);
      if (o.explanations !== false) {
        lines.push('');
        lines.push(...w.explanation.text.split('\n').map((l) => `  ${l}`));
      }
    }
  }
  const lo = rep.lock_order;
  lines.push('');
  if (lo.cycles.length === 0) lines.push(`lock order: ${lo.edges} edge${lo.edges === 1 ? '' : 's'} (a lock taken while holding another) over all runs, no cycle`);
  else {
    lines.push(`lock order: ${lo.cycles.length} possible deadlock${lo.cycles.length === 1 ? '' : 's'} from ${lo.edges} edges over all runs (${lo.deadlocked_runs} run${lo.deadlocked_runs === 1 ? '' : 's'} deadlocked)`);
    for (const c of lo.cycles) {
      lines.push('');
      lines.push(formatLockCycle(c, lo.deadlocked_runs));
    }
  }
  const gd = rep.guided;
  if (gd !== null) {
    lines.push('');
    const seeds = (l: number[]): string => `seed${l.length === 1 ? '' : 's'} ${l.join(', ')}`;
    lines.push(`guided search: ${gd.runs} runs; ${gd.failed.length} seed${gd.failed.length === 1 ? '' : 's'} failed${gd.failed.length === 0 ? '' : ` (${gd.failed.map((f) => `seed ${f.seed} with ${f.deviations} deviation${f.deviations === 1 ? '' : 's'}`).join(', ')})`}`);
    for (const g of gd.gave_up) lines.push(`  ${seeds(g.seeds)}: ${g.reason}`);
  }
  const cc = rep.closest_call;
  if (cc !== null) {
    lines.push('');
    const dist = cc.counts.map((c) => `${c.value < 0 ? 'not reached' : c.value}: ${c.runs}`).join(', ');
    if (cc.best === null) lines.push(`closest call: none measured (${cc.measure})`);
    else if (cc.best.value <= 0) lines.push(`closest call: none came near: every run that did not fail had 0 ${cc.measure}; the run fails at ${cc.fails_at}`);
    else lines.push(`closest call: seed ${cc.best.seed}, ${cc.best.value} ${cc.measure}; the run fails at ${cc.fails_at}`);
    lines.push(`  runs by that measure: ${dist}`);
  }
  return lines.join('\n');
}
