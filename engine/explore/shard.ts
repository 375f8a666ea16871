// Splitting the seed space among shards that never overlap: shard i of n runs the seeds whose
// position p in the search (0-based, seed = first + p) has p mod n = i, so every shard gets an even
// share of early and late seeds and the union of all shards is the unsharded search. The shard is
// given as --shard i/n, or read from the batch system: a Kubernetes Indexed Job sets
// JOB_COMPLETION_INDEX (0-based; its count is the Job's completions, which the pod is not told, so
// --shards n gives it), a Slurm array sets SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN,
// SLURM_ARRAY_TASK_STEP and SLURM_ARRAY_TASK_COUNT.

export interface Shard {
  index: number;
  count: number;
  /** where the index came from */
  from: 'none' | 'flag' | 'JOB_COMPLETION_INDEX' | 'SLURM_ARRAY_TASK_ID';
}

export const UNSHARDED: Shard = { index: 0, count: 1, from: 'none' };

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

const INT = /^\d+$/;

function int(text: string, what: string): number {
  if (!INT.test(text.trim()) || !Number.isSafeInteger(Number(text.trim()))) throw new ShardError(`${what} must be a non-negative integer, got "${text}"`);
  return Number(text.trim());
}

/** The shard of this process, from `--shard i/n`, `--shards n` and the environment. */
export function resolveShard(flag: string | undefined, shards: number | undefined, env: Record<string, string | undefined>): Shard {
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (m === null) throw new ShardError(`--shard must look like i/n (shard i of n, 0 <= i < n), got "${flag}"`);
    const index = Number(m[1]);
    const count = Number(m[2]);
    if (count < 1) throw new ShardError(`--shard ${flag}: the number of shards must be at least 1`);
    if (index >= count) throw new ShardError(`--shard ${flag}: shard indices run from 0 to ${count - 1}`);
    if (shards !== undefined && shards !== count) throw new ShardError(`--shard ${flag} and --shards ${shards} disagree on the number of shards`);
    return { index, count, from: 'flag' };
  }
  if (shards !== undefined && (!Number.isSafeInteger(shards) || shards < 1)) throw new ShardError(`--shards must be a positive integer, got ${shards}`);
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== '') {
    const index = int(k8s, 'JOB_COMPLETION_INDEX');
    if (shards === undefined) throw new ShardError(`JOB_COMPLETION_INDEX=${k8s} is set (a Kubernetes Indexed Job) but not the number of shards: pass --shards N, N being the Job's completions`);
    if (index >= shards) throw new ShardError(`JOB_COMPLETION_INDEX=${k8s} is not below --shards ${shards}: the Job's completions and --shards must be equal`);
    return { index, count: shards, from: 'JOB_COMPLETION_INDEX' };
  }
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (slurm !== undefined && slurm !== '') {
    const id = int(slurm, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN ? int(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    const step = env.SLURM_ARRAY_TASK_STEP ? int(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') : 1;
    const envCount = env.SLURM_ARRAY_TASK_COUNT ? int(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT') : undefined;
    const count = shards ?? envCount;
    if (count === undefined || count < 1) throw new ShardError(`SLURM_ARRAY_TASK_ID=${slurm} is set (a Slurm array) but SLURM_ARRAY_TASK_COUNT is not: pass --shards N`);
    if (shards !== undefined && envCount !== undefined && shards !== envCount) throw new ShardError(`--shards ${shards} but the Slurm array has SLURM_ARRAY_TASK_COUNT=${envCount} tasks`);
    if (step < 1 || id < min || (id - min) % step !== 0) throw new ShardError(`SLURM_ARRAY_TASK_ID=${slurm} is not in the array ${min}, ${min + step}, ... (SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP)`);
    const index = (id - min) / step;
    if (index >= count) throw new ShardError(`SLURM_ARRAY_TASK_ID=${slurm} is task ${index} of an array of ${count}`);
    return { index, count, from: 'SLURM_ARRAY_TASK_ID' };
  }
  if (shards !== undefined && shards > 1) throw new ShardError(`--shards ${shards} needs the shard index: --shard i/${shards}, or JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm) in the environment`);
  return UNSHARDED;
}

/** The positions (0-based) of the search's `runs` seeds that shard `s` runs, in order. */
export function shardPositions(runs: number, s: Shard): number[] {
  const out: number[] = [];
  for (let p = s.index; p < runs; p += s.count) out.push(p);
  return out;
}

export function shardLabel(s: Shard): string {
  return s.count === 1 ? 'unsharded' : `shard ${s.index}/${s.count}${s.from === 'flag' || s.from === 'none' ? '' : ` (from ${s.from})`}`;
}
