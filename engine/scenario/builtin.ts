// Built-in scenarios, by their stable names (DESIGN.md's CLI contract).
import seed_idle_128g from './builtin/seed-idle-128g.json';
import seed_specjbb_128g from './builtin/seed-specjbb-128g.json';
import seed_stage3_hang from './builtin/seed-stage3-hang.json';
import second_round_all_dirty from './builtin/second-round-all-dirty.json';
import page0_offbyone from './builtin/page0-offbyone.json';
import chegu_256g from './builtin/chegu-256g.json';
import chegu_256g_autoconverge from './builtin/chegu-256g-autoconverge.json';
import multifd_8ch_10g from './builtin/multifd-8ch-10g.json';
import multifd_sync_hang from './builtin/multifd-sync-hang.json';
import fault_link_cut from './builtin/fault-link-cut.json';
import fault_destination_crash from './builtin/fault-destination-crash.json';
import fault_bandwidth_collapse from './builtin/fault-bandwidth-collapse.json';
import qtest_bootblock from './builtin/qtest-bootblock.json';

export const BUILTIN_SCENARIOS: Record<string, unknown> = {
  'seed-idle-128g': seed_idle_128g,
  'seed-specjbb-128g': seed_specjbb_128g,
  'seed-stage3-hang': seed_stage3_hang,
  'second-round-all-dirty': second_round_all_dirty,
  'page0-offbyone': page0_offbyone,
  'chegu-256g': chegu_256g,
  'chegu-256g-autoconverge': chegu_256g_autoconverge,
  'multifd-8ch-10g': multifd_8ch_10g,
  'multifd-sync-hang': multifd_sync_hang,
  'fault-link-cut': fault_link_cut,
  'fault-destination-crash': fault_destination_crash,
  'fault-bandwidth-collapse': fault_bandwidth_collapse,
  'qtest-bootblock': qtest_bootblock,
};
