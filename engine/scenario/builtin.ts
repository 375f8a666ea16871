// Built-in scenarios, by their stable names (DESIGN.md's CLI contract).
import seedIdle from './builtin/seed-idle-128g.json';
import seedSpecjbb from './builtin/seed-specjbb-128g.json';
import qtestBootblock from './builtin/qtest-bootblock.json';

export const BUILTIN_SCENARIOS: Record<string, unknown> = {
  'seed-idle-128g': seedIdle,
  'seed-specjbb-128g': seedSpecjbb,
  'qtest-bootblock': qtestBootblock,
};
