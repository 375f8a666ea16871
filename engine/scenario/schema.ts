// The scenario file's JSON Schema: the single description of the format. The validator
// (validate.ts) interprets it, and the build writes it to dist/scenario.schema.json so editors
// complete and check `*.migscenario.json` files. Sizes use the extension keyword `x-size`
// (bytes, with a minimum and maximum, and the field's size rule of units.ts), which editors ignore
// and the validator enforces; beside it, `oneOf` says as much of the same as JSON Schema can (a
// whole number of bytes in range, or a string in QEMU's size syntax), so an editor refuses what
// the validator refuses, except the range of a string with a suffix, which needs arithmetic.
//
// Names follow QEMU where QEMU has one (max-bandwidth, downtime-limit, auto-converge, ...), with
// QAPI's hyphenated spelling; units are in the names where they are not QEMU's own.

import { BYTES_RULE, MEMORY_RULE, sizePattern, type SizeRule } from './units';

export interface SchemaNode {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';
  uniqueItems?: boolean;
  maxItems?: number;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  /** size in bytes: a number, or a string like "128G" */
  'x-size'?: { min: number; max: number } & SizeRule;
  oneOf?: SchemaNode[];
  items?: SchemaNode;
  pattern?: string;
  multipleOf?: number;
}

const MiB = 1024 ** 2;
/** The longest virtual time a scenario may name, in seconds: 1e6 s is 1e15 ns, within the kernel's safe-integer clock (2^53 ns is about 104 days). */
const SECONDS_MAX = 1e6;
const TiB = 1024 ** 4;

export const SIZE_SCHEMA_NOTE = 'a size: a whole number of bytes, or a string as QEMU reads sizes (qemu_strtosz): digits, an optional fraction, one suffix B/K/M/G/T/P/E (binary), a bare string being bytes; see README.md "Scenarios"';
export const MEMORY_SCHEMA_NOTE = 'a size as QEMU\'s -m reads it: a string with no suffix is MiB ("4096" is 4 GiB), suffixes K/M/G/T..., fractions when the result is whole pages; a JSON number is bytes (as in QMP); a whole number of 4 KiB pages; see README.md "Scenarios"';

function size(description: string, min: number, max: number, dflt?: string, rule: SizeRule = BYTES_RULE): SchemaNode {
  const note = rule.default_suffix === 'M' ? MEMORY_SCHEMA_NOTE : SIZE_SCHEMA_NOTE;
  const int: SchemaNode = { type: 'integer', minimum: min, maximum: max };
  if (rule.multiple_of !== undefined) int.multipleOf = rule.multiple_of;
  const n: SchemaNode = { description: `${description} (${note})`, 'x-size': { min, max, ...rule }, oneOf: [int, { type: 'string', pattern: sizePattern(rule) }] };
  if (dflt !== undefined) n.default = dflt;
  return n;
}

function num(description: string, minimum: number, maximum: number, dflt?: number, integer = false): SchemaNode {
  const n: SchemaNode = { type: integer ? 'integer' : 'number', description, minimum, maximum };
  if (dflt !== undefined) n.default = dflt;
  return n;
}

export { WORKLOAD_KINDS, PROFILES, HOST_PROFILES, BUG_VARIANTS, FAULT_KINDS } from '../model/catalog';
export type { WorkloadKind, DesignProfileName, BugVariant, FaultKind, HostProfileName } from '../model/catalog';
import { WORKLOAD_KINDS, PROFILES, HOST_PROFILES, BUG_VARIANTS, FAULT_KINDS } from '../model/catalog';

const workload: SchemaNode = {
  type: 'object',
  description: 'What the guest runs: which pages it writes, how fast, and how often its vCPUs exit to userspace for the BQL.',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: WORKLOAD_KINDS, description: 'idle: static memory, background writes; specjbb: hot Java heap, high dirty rate; memcached: random writes over a large cache with a hot subset; stream: sequential sweeps over an array; migration-test: QEMU\'s a-b-bootblock guest, one byte per page from 1 MiB to 100 MiB in a loop; custom: every parameter given.' },
    'nonzero-memory': size('memory holding data (non-zero pages) when migration starts; the rest is zero', 0, 64 * TiB),
    'working-set': size('region the guest keeps writing', 0, 64 * TiB),
    'working-set-offset': size('where the written region starts in guest RAM', 0, 64 * TiB),
    'dirty-rate': num('page writes per second, all vCPUs together (rewrites of a page count again)', 0, 1e10),
    distribution: { type: 'string', enum: ['uniform', 'hot-cold', 'sequential'], description: 'how writes spread over the working set' },
    'hot-fraction': num('hot-cold: fraction of the working set that is hot', 0.0001, 1),
    'hot-weight': num('hot-cold: fraction of writes that go to the hot part', 0, 1),
    'run-pages': num('pages written together by one burst (objects spanning pages, sequential allocation)', 1, 4096, undefined, true),
    start: num('seconds after migration start when the writes begin', 0, SECONDS_MAX),
    stop: num('seconds after migration start when the workload finishes (omit: it runs until the end)', 0, SECONDS_MAX),
    'bql-exit-rate': num('userspace exits per second per vCPU that take the BQL (MMIO/PIO and the like)', 0, 1e6),
    'exit-handling-us': num('BQL hold time of one such exit, in microseconds', 0, 1e6),
    'xbzrle-delta': num('fraction of a rewritten page that changed since its last send (what XBZRLE encodes)', 0, 1),
    'after-stop': {
      type: 'object',
      additionalProperties: false,
      description: 'what the guest does once the workload has stopped (`stop`): an idle OS still writes a little and exits now and then; omitted: nothing at all',
      properties: {
        'dirty-rate': num('page writes per second, all vCPUs together, single pages placed uniformly', 0, 1e10),
        'working-set': size('region written after the stop', 0, 64 * TiB),
        'working-set-offset': size('where that region starts in guest RAM', 0, 64 * TiB),
        'bql-exit-rate': num('userspace exits per second per vCPU after the stop (default: the workload\'s)', 0, 1e6),
      },
    },
  },
};

const fault: SchemaNode = {
  type: 'object',
  required: ['kind', 'at'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: FAULT_KINDS, description: 'link-cut: the link stops carrying data; destination-crash: the destination QEMU dies (its socket resets); bandwidth-collapse: the link slows to `factor` of its bandwidth' },
    at: num('seconds after migration start', 0, SECONDS_MAX),
    factor: num('bandwidth-collapse: remaining fraction of the link bandwidth', 0.0001, 1, 0.01),
  },
};

export const SCENARIO_SCHEMA: SchemaNode = {
  type: 'object',
  description: 'A migtrace scenario: a guest, what it runs, and how it is migrated.',
  required: ['guest'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'path or URL of this schema, for editors' },
    name: { type: 'string', description: 'short name, shown in reports' },
    description: { type: 'string', description: 'what this scenario is and where its numbers come from' },
    seed: num('seed of the run (jitter and scheduling); the command line may override it', 0, Number.MAX_SAFE_INTEGER, 1, true),
    guest: {
      type: 'object',
      required: ['memory', 'vcpus', 'workload'],
      additionalProperties: false,
      properties: {
        memory: size('guest RAM (QEMU -m)', MiB, 16 * TiB, undefined, MEMORY_RULE),
        vcpus: num('vCPU threads (QEMU -smp)', 1, 1024, undefined, true),
        workload,
      },
    },
    migration: {
      type: 'object',
      additionalProperties: false,
      properties: {
        profile: { type: 'string', enum: PROFILES, default: 'qemu-1.4', description: 'migration design: rfc-2012 (migration thread holding the BQL around each iterate step, July 2012 RFC), qemu-1.4 (BQL only around the dirty bitmap sync, as merged in 2013)' },
        'max-bandwidth': size('rate limit in bytes per second, as QMP\'s migrate-set-parameters max-bandwidth (a string with no suffix is bytes/s, unlike HMP\'s MiB/s); QEMU\'s default is 128M', 1, 1024 * TiB, '128M'),
        'downtime-limit': num('maximum tolerated downtime in milliseconds (QEMU default 300)', 1, 2_000_000, 300, true),
        'start-delay': num('seconds the guest runs before migration starts', 0, 1e6, 0),
        capabilities: {
          type: 'object',
          additionalProperties: false,
          description: 'migrate-set-capabilities',
          properties: {
            'auto-converge': { type: 'boolean', default: false, description: 'throttle the vCPUs when the guest dirties memory faster than it is sent (QEMU 1.6, 7ca1dfad952d)' },
            xbzrle: { type: 'boolean', default: false, description: 'send changed pages as XOR-RLE deltas against a cache of sent pages (not with multifd)' },
          },
        },
        'multifd-channels': num('multifd channels (modern) or sender streams (dedicated-bitmap-thread)', 1, 255, 2, true),
        'xbzrle-cache-size': size('XBZRLE page cache', 4096, 64 * TiB, '64M'),
        'cpu-throttle-initial': num('auto-converge: first throttle, percent', 1, 99, 20, true),
        'cpu-throttle-increment': num('auto-converge: throttle step, percent', 1, 99, 10, true),
        'max-cpu-throttle': num('auto-converge: highest throttle, percent', 1, 99, 99, true),
        'throttle-trigger-threshold': num('auto-converge: throttle when bytes dirtied exceed this percent of bytes sent in a sync period', 1, 100, 50, true),
        bugs: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', enum: Object.keys(BUG_VARIANTS) },
          description: `historical bug variants to switch on: ${Object.entries(BUG_VARIANTS).map(([k, v]) => `${k}: ${v}`).join('; ')}`,
        },
      },
    },
    faults: { type: 'array', maxItems: 16, items: fault, description: 'faults injected at chosen times' },
    host: {
      type: 'object',
      additionalProperties: false,
      properties: {
        profile: { type: 'string', enum: HOST_PROFILES, default: 'modern-x86', description: 'per-page and per-sync costs of the source host (engine/model/calibration.ts says where each comes from)' },
        'zero-page-ns': num('CPU time to detect and send one zero page', 0, 1e9),
        'normal-page-ns': num('CPU time to check, frame and copy one normal page into the stream buffer', 0, 1e9),
        'send-ns-per-kib': num('CPU time of the socket write per KiB sent', 0, 1e9),
        'sync-ns-per-gib': num('migration_bitmap_sync cost per GiB of guest RAM', 0, 1e12),
        'bitmap-scan-ns-per-word': num('find_dirty_block cost per 32 clean pages skipped', 0, 1e6),
        cpus: num('host CPUs shared by the source\'s and destination\'s threads (0: every thread has a CPU of its own; default: the host profile\'s)', 0, 4096, undefined, true),
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'bandwidth-gbps': num('link bandwidth in Gbit/s', 0.001, 100_000, 10),
        'latency-us': num('one-way link latency in microseconds', 0, 1e7, 50),
        'tcp-timeout': num('seconds before a write on a cut link fails (Linux gives up after ≈ 924 s with tcp_retries2=15)', 0.001, 1e5, 924),
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'max-time': num('cancel the migration after this many seconds (it did not converge)', 1, SECONDS_MAX, 3600),
        'max-iterations': num('cancel after this many dirty bitmap syncs (0: no limit)', 0, 1e9, 0, true),
        watchdog: num('seconds without migration progress after which the run is declared hung', 1, SECONDS_MAX, 120),
      },
    },
  },
};
