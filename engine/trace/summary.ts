// What `migtrace info` says about a trace: header, counts, time span, completeness, outcome.
import { formatNs } from '../sim/hangReport';
import { isComplete, type TraceData } from './reader';

export interface TraceInfo {
  complete: boolean;
  stopped: { offset: number; reason: string } | null;
  format_version: number;
  engine_version: string;
  source: string;
  qemu_version: string;
  host: string;
  scenario: string;
  seed: number;
  strategy: string;
  profile: string;
  ram_bytes: number;
  vcpus: number;
  bytes: number;
  packets: number;
  events: number;
  bytes_per_event: number;
  start_ns: number;
  end_ns: number;
  threads: { name: string; role: string }[];
  mutexes: number;
  conditions: number;
  semaphores: number;
  functions: number;
  model_events: Record<string, number>;
  checkpoints: number;
  hang: { kind: string; time_ns: number; summary: string } | null;
  summary: unknown;
  /** a schedule search's explanation of the run (migtrace explore's shrunk traces), or null */
  explanation: unknown;
}

export function traceInfo(t: TraceData): TraceInfo {
  const model: Record<string, number> = {};
  for (const m of t.model) model[m.kind] = (model[m.kind] ?? 0) + 1;
  const n = t.events.count;
  return {
    complete: isComplete(t),
    stopped: t.stopped,
    format_version: t.header.format_version,
    engine_version: t.header.engine_version,
    source: t.header.source,
    qemu_version: t.header.qemu_version,
    host: t.header.host,
    scenario: t.header.scenario_name,
    seed: t.header.seed,
    strategy: t.header.strategy.name,
    profile: t.header.profile,
    ram_bytes: t.header.ram_bytes,
    vcpus: t.header.vcpus,
    bytes: t.bytes,
    packets: t.packets,
    events: n,
    bytes_per_event: n > 0 ? t.bytes / n : 0,
    start_ns: n > 0 ? t.events.time[0] : 0,
    end_ns: t.footer?.end_ns ?? (n > 0 ? t.events.time[n - 1] : 0),
    threads: t.threads.map((x) => ({ name: x.name, role: x.role })),
    mutexes: t.mutexes.length,
    conditions: t.conds.length,
    semaphores: t.sems.length,
    functions: t.functions.length,
    model_events: model,
    checkpoints: t.checkpoints.length,
    hang: t.hang === null ? null : { kind: t.hang.kind, time_ns: t.hang.time_ns, summary: t.hang.summary },
    summary: t.footer?.summary ?? null,
    explanation: parseExplanation(t.header.explanation),
  };
}

function parseExplanation(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

export function formatTraceInfo(path: string, i: TraceInfo): string {
  const gib = (b: number) => `${+(b / 1024 ** 3).toFixed(2)} GiB`;
  const roles: Record<string, number> = {};
  for (const th of i.threads) roles[th.role] = (roles[th.role] ?? 0) + 1;
  const real = i.source === 'qemu';
  const guest = i.ram_bytes > 0 ? `, ${gib(i.ram_bytes)} / ${i.vcpus} vCPUs` : '';
  const lines = [
    `${path}: migtrace trace, format ${i.format_version}, engine ${i.engine_version}, ${real ? 'a real QEMU migration' : i.source}`,
    i.complete ? 'complete: read to its footer, every packet checked' : `INCOMPLETE: ${i.stopped?.reason ?? 'no footer'} (read up to byte ${i.stopped?.offset ?? i.bytes})`,
    real
      ? `run:         ${i.scenario}${guest}; ${i.qemu_version || 'QEMU version not recorded'}${i.host ? ` on ${i.host}` : ''}`
      : `scenario:    ${i.scenario} (seed ${i.seed}, strategy ${i.strategy}, profile ${i.profile})${guest}`,
    `size:        ${i.bytes} bytes, ${i.events} events (${i.bytes_per_event.toFixed(2)} bytes per event), ${i.packets} packets, ${i.checkpoints} checkpoints`,
    `time:        ${formatNs(i.start_ns)} to ${formatNs(i.end_ns)} of ${real ? 'wall-clock time (from the first event)' : 'virtual time'}`,
    `threads:     ${i.threads.length} (${Object.entries(roles).map(([r, c]) => `${c} ${r}`).join(', ')})`,
    real
      ? `events:      ${i.functions} distinct QEMU trace points; ${Object.entries(i.model_events).map(([k, c]) => `${c} ${k}`).join(', ') || 'no samples'}`
      : `objects:     ${i.mutexes} mutexes, ${i.conditions} conditions, ${i.semaphores} semaphores; ${i.functions} functions`,
  ];
  if (!real) lines.push(`model:       ${Object.entries(i.model_events).map(([k, c]) => `${c} ${k}`).join(', ') || 'none'}`);
  const s = i.summary as Record<string, unknown> | null;
  if (s && typeof s === 'object') {
    const ram = s.ram as Record<string, number> | undefined;
    const lost = real ? '' : `, pages lost ${(s.invariants as Record<string, number> | undefined)?.['pages-lost'] ?? '?'}`;
    const dst = real && s['destination-running'] !== undefined ? `, guest ${s['destination-running'] ? 'running' : 'NOT running'} on the destination` : '';
    lines.push(`outcome:     ${String(s.outcome)} (${String(s.status)}${s['total-time'] !== undefined ? `, total time ${s['total-time']} ms` : ''}${s.downtime !== undefined ? `, downtime ${s.downtime} ms` : ''}${ram ? `, transferred ${Math.floor(ram.transferred / 1024)} kbytes` : ''}${lost}${dst})`);
  } else {
    lines.push('outcome:     unknown (the trace has no footer)');
  }
  lines.push(`hang:        ${i.hang === null ? 'none' : `${i.hang.kind} at ${formatNs(i.hang.time_ns)}: ${i.hang.summary}`}`);
  const ex = i.explanation as { text?: unknown } | null;
  if (ex !== null && typeof ex.text === 'string') {
    lines.push('explained by migtrace explore:');
    for (const l of ex.text.split('\n')) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}
