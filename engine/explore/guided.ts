// A schedule search guided by the closest call, for a bug whose mechanism says how a run got away
// (closeCall.ts, `Escape`): start from the default schedule of a seed; while the run does not
// fail, take the latest decision inside the danger at which the escaping thread ran while others
// were ready, and run the schedule that lets another ready thread go there instead. A change is
// kept when it fails, comes closer by the measure, or keeps the danger open for more decisions;
// else the next earlier choice is tried. It ends with a failure, with a run that got away at a
// step no choice inside the danger could change (the escaping thread was the only one ready:
// choices before the danger shift every step's timing and jitter, and are random search's
// ground), or at its budget.
//
// Random search and PCT change every decision, or a few chosen blindly over the whole run; the
// danger of a bug like aa723c23147e is a few hundred decisions long in a run of 5 to 200 thousand,
// so they meet it by chance only. This search makes the few choices inside it, and says why it
// stopped when it finds nothing. Each run is the default schedule with listed deviations
// (`scripted`), so whatever it finds is a schedule that shrinks, saves and replays as any other.

import { CancelledError, type RunService } from './service';
import type { RunRecord } from './execute';
import type { Script, StrategySpec } from './strategy';

/** rounds (deviations added) before a guided search of one seed gives up */
export const GUIDED_ROUNDS_DEFAULT = 24;
/** the other ready threads tried at one decision */
const ALTERNATIVES = 3;
/** the choices (latest first) tried in one round before it gives up */
const CHOICES_PER_ROUND = 4;

export interface GuidedRun {
  /** the last run: the failure, or the closest the search came */
  record: RunRecord;
  /** its schedule: deviations from the default */
  script: Script;
  /** runs made */
  runs: number;
  /** why it stopped without a failure; null when it found one */
  gave_up: string | null;
}

function scripted(script: Script): StrategySpec {
  return { name: 'scripted', script };
}

/** Whether `b` is further along than `a`: it fails, comes closer, or got away later. */
function better(a: RunRecord, b: RunRecord): boolean {
  if (b.failure !== null) return a.failure === null;
  if (a.failure !== null) return false;
  const va = a.close?.value ?? -1;
  const vb = b.close?.value ?? -1;
  if (vb !== va) return vb > va;
  return (b.escape?.decision ?? -1) > (a.escape?.decision ?? -1);
}

/**
 * The guided search of one seed. `stopped` is asked before each round: once it holds (Ctrl-C, the
 * editor's Cancel) no more runs start and the seed is dropped as cancelled (its search unfinished).
 */
export async function guidedRun(service: RunService, seed: number, signature_frames: number, rounds = GUIDED_ROUNDS_DEFAULT, stopped: () => boolean = () => false): Promise<GuidedRun> {
  let script: Script = { at: [], tid: [] };
  let best = await service.run({ seed, strategy: scripted(script), analyse: true, signature_frames });
  let runs = 1;
  for (let round = 0; ; round++) {
    if (best.failure !== null) return { record: best, script, runs, gave_up: null };
    if (best.close === null) return { record: best, script, runs, gave_up: 'the scenario\'s bug has no measure of how near a run came, so there is nothing to guide the search' };
    const e = best.escape;
    if (e === null) {
      const why = best.close.value >= best.close.fails_at ? 'the run came as near as the measure goes (ram_save_complete ran with the vCPUs running) and still lost nothing' : 'the run never reached the danger the measure watches';
      return { record: best, script, runs, gave_up: why };
    }
    if (stopped()) throw new CancelledError();
    if (round >= rounds) return { record: best, script, runs, gave_up: `${rounds} deviations added and the run still got away (at decision ${e.decision})` };
    const last = script.at.length === 0 ? -1 : script.at[script.at.length - 1];
    const choices = e.choices.filter((c) => c.decision > last).reverse().slice(0, CHOICES_PER_ROUND);
    if (choices.length === 0) {
      return { record: best, script, runs, gave_up: `"${e.name}" got away at decision ${e.decision} taking a lock when no other thread was ready: a race lost to virtual time (how long the steps take), which no choice inside the danger changes` };
    }
    let next: { r: RunRecord; s: Script } | null = null;
    for (const c of choices) {
      const tries = await Promise.all(c.ready.filter((t) => t !== e.tid).slice(0, ALTERNATIVES).map(async (t) => {
        const s: Script = { at: [...script.at, c.decision], tid: [...script.tid, t] };
        return { r: await service.run({ seed, strategy: scripted(s), analyse: true, signature_frames }), s };
      }));
      runs += tries.length;
      for (const t of tries) if (better(next?.r ?? best, t.r)) next = t;
      if (next !== null) break;
    }
    if (next === null) return { record: best, script, runs, gave_up: `no other choice at the last ${choices.length} decisions where it got away brought the run closer` };
    best = next.r;
    script = next.s;
  }
}
