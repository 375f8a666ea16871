// What each published figure the model is held against says about the model: whether the model
// was fitted on it (constants chosen so that the model reproduces that very figure), borrowed
// (the figure's constants were fitted on another figure), or predicted (nothing was fitted on it).
// A figure shown beside a reference — by `npm run validate`, by `migtrace demo` — carries this
// label and names the constants, so nobody mistakes a fit for a prediction.

export type Basis = 'fitted' | 'borrowed' | 'predicted';

export interface Provenance {
  basis: Basis;
  /** the constants that make the figure come out as it does (host profile fields, scenario fields) */
  constants: string[];
  /** for borrowed: where those constants were fitted */
  from?: string;
}

const IDLE_BYTES = ['seed-idle-128g: guest.workload.nonzero-memory 3.35G (pages sent once give the reported bytes)'];
const IDLE_TIME = ['chegu-2012.zero_page_ns 5.7 µs (33 M zero pages take the reported time)'];
const JBB_FIT = ['chegu-2012.normal_page_ns + send_ns_per_kib (≈ 16 µs per normal page)', 'seed-specjbb-128g: nonzero-memory 112G, working-set 10G, dirty-rate 60000, stop 500 s'];

/** By `<case> <metric>`, as `npm run validate` names its rows. */
export const PROVENANCE: Record<string, Provenance> = {
  'seed-idle-128g transferred-kbytes': { basis: 'fitted', constants: IDLE_BYTES },
  'seed-idle-128g total-time-ms': { basis: 'fitted', constants: IDLE_TIME },
  'seed-idle-128g completed': { basis: 'predicted', constants: [] },
  'seed-specjbb-128g mean-throughput-gbps': { basis: 'fitted', constants: JBB_FIT },
  'seed-specjbb-128g converged-while-workload-ran': { basis: 'fitted', constants: ['seed-specjbb-128g: stop 500 s (the workload ends before the migration could converge)'] },
  'seed-specjbb-128g converged-without-the-stop': { basis: 'predicted', constants: [] },
  'seed-specjbb-128g transferred-kbytes': { basis: 'fitted', constants: JBB_FIT },
  'seed-specjbb-128g total-time-ms': { basis: 'fitted', constants: JBB_FIT },
  'seed-specjbb-128g completed': { basis: 'fitted', constants: ['seed-specjbb-128g: stop 500 s'] },
  'chegu-256g still-active-at-1487s': { basis: 'fitted', constants: ['chegu-256g: bql-exit-rate 5 (at 100 the model converges at 274 s)'] },
  'chegu-256g transferred-gb-at-1487s': { basis: 'fitted', constants: ['chegu-2013.sync_ns_per_gib 0.25 ms'] },
  'chegu-256g-autoconverge completed': { basis: 'predicted', constants: [] },
  'chegu-256g-autoconverge total-time-s': { basis: 'fitted', constants: ['chegu-2013.zero_page_ns 2 µs'] },
  'chegu-256g-autoconverge transferred-gb': { basis: 'fitted', constants: ['chegu-2013.zero_page_ns 2 µs', 'chegu-256g: nonzero-memory 8G'] },
  'chegu-256g-autoconverge downtime-ms': { basis: 'predicted', constants: [] },
  'chegu-256g-autoconverge duplicate-pages-millions': { basis: 'fitted', constants: ['chegu-256g: nonzero-memory 8G (65 M of 67 M pages zero)'] },
  'multifd-8ch-10g total-time-s': { basis: 'borrowed', constants: ['modern-x86 per-page costs', 'multifd-8ch-10g: nonzero-memory 54G (the report\'s)'], from: 'multifd-8ch-10g throughput-mbps' },
  'multifd-8ch-10g throughput-mbps': { basis: 'fitted', constants: ['modern-x86.normal_page_ns + send_ns_per_kib (one channel ≈ 8 Gb/s; 8 channels saturate 10 Gb/s, from this figure)'] },
  'multifd-8ch-10g throughput-rises-with-channels-until-saturation': { basis: 'borrowed', constants: ['modern-x86 per-page costs'], from: 'multifd-8ch-10g throughput-mbps' },
};

export function provenanceOf(caseName: string, metric: string): Provenance {
  const p = PROVENANCE[`${caseName} ${metric}`];
  if (p !== undefined) return p;
  if (/^mean-gbps-\d+-channels$/.test(metric)) return { basis: 'borrowed', constants: ['modern-x86 per-page costs'], from: 'multifd-8ch-10g throughput-mbps' };
  return { basis: 'predicted', constants: [] };
}

export function formatProvenance(p: Provenance): string {
  if (p.basis === 'predicted') return 'predicted (nothing fitted on it)';
  if (p.basis === 'borrowed') return `borrowed (${p.constants.join('; ')}, fitted on ${p.from})`;
  return `fitted (${p.constants.join('; ')})`;
}
