// The folder the end-to-end suite opens in VS Code, as a user's would look: a launch.json with
// the sessions the story uses, and a scenario file of their own (with a typo, for the schema).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stage3Schedule } from '../debug/scenarios';

export const HANG = { name: 'multifd-sync-hang (seed 5)', scenario: 'multifd-sync-hang', seed: 5, recording: 'multifd-sync-hang-seed-5.migtrace' };
export const STAGE3 = { name: 'seed-stage3-hang (seed 1)', scenario: 'seed-stage3-hang', seed: 1 };
/** The 2012 bug biting: seed-stage3-hang's 4 GiB variant on the schedule `migtrace explore --strategy guided` found. */
export const STAGE3_LOSS = { name: 'seed-stage3-hang, 4 GiB, on the schedule explore found' };
/** A run long enough to ask the extension host something meanwhile, however fast the machine:
 *  chegu-256g never converges, and with a 100,000 s limit it runs for many minutes until cancelled. */
export const LONG = { name: 'chegu-256g (a long run)', scenario: 'chegu-256g', seed: 1, set: ['limits.max-time=100000'] };
export const TYPO_FILE = 'busy-64g.migscenario.json';

export function makeWorkspace(dir: string, stage3: Stage3Schedule): void {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  const launch = {
    version: '0.2.0',
    configurations: [
      { type: 'migtrace', request: 'launch', name: HANG.name, scenario: HANG.scenario, seed: HANG.seed, record: `\${workspaceFolder}/${HANG.recording}` },
      { type: 'migtrace', request: 'launch', name: STAGE3.name, scenario: STAGE3.scenario, seed: STAGE3.seed, stopOnEntry: true },
      { type: 'migtrace', request: 'launch', name: STAGE3_LOSS.name, scenario: 'seed-stage3-hang', seed: stage3.seed, set: stage3.set, deviations: stage3.deviations },
      { type: 'migtrace', request: 'launch', name: LONG.name, scenario: LONG.scenario, seed: LONG.seed, set: LONG.set },
    ],
  };
  writeFileSync(join(dir, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2) + '\n');
  // The README's example scenario, with one field misspelt ("downtime-limt").
  const scenario = {
    name: 'busy-64g',
    guest: { memory: '64G', vcpus: 8, workload: { kind: 'specjbb', 'working-set': '4G', 'dirty-rate': 40000, stop: 300 } },
    migration: { profile: 'qemu-1.4', 'max-bandwidth': '1G', 'downtime-limt': 300 },
    host: { profile: 'modern-x86' },
    network: { 'bandwidth-gbps': 10 },
    limits: { 'max-time': 1800 },
  };
  writeFileSync(join(dir, TYPO_FILE), JSON.stringify(scenario, null, 2) + '\n');
}
