// The real validation set (realSet.ts) and its cached fixtures (test/fixtures/real-validation):
// every setting has its fixture with the repeats it asks for, the halves are the ones the set
// names, both halves cover every mechanism, and the model's rows for a setting carry the basis of
// its half (fitted on the fit half, predicted on the held-out half).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_SET, repeatsOf, selectSettings } from './realSet';
import { listFixtures, readFixture } from './realFixture';
import { convergenceRight, cpusLeft, realSettingRows } from './realTable';

test('every setting of the real set has a cached fixture of its half, with its repeats, and no fixture is stale', () => {
  assert.ok(REAL_SET.length >= 30, `${REAL_SET.length} settings`);
  for (const s of REAL_SET) {
    const f = readFixture(s.label);
    assert.ok(f !== null, `${s.label}: no fixture`);
    assert.equal(f.setting, s.label);
    assert.equal(f.half, s.half, `${s.label}: the fixture's half`);
    assert.deepEqual(f.sets, s.sets, `${s.label}: the fixture's settings`);
    assert.ok(f.runs.length >= repeatsOf(s), `${s.label}: ${f.runs.length} runs, wants ${repeatsOf(s)}`);
    for (const r of f.runs) assert.ok(['completed', 'cancelled', 'failed'].includes(r.info.status), `${s.label}: status ${r.info.status}`);
  }
  const labels = new Set(REAL_SET.map((s) => s.label));
  assert.equal(labels.size, REAL_SET.length, 'labels are unique');
  assert.deepEqual(listFixtures().filter((l) => !labels.has(l)), [], 'fixtures of settings no longer in the set');
});

test('both halves cover plain precopy, auto-converge, multifd 2 and 4, XBZRLE, 512 MiB and 1 GiB guests and the knife edge', () => {
  const has = (half: string, pred: (sets: string[], knife: boolean) => boolean) => REAL_SET.some((s) => s.half === half && pred(s.sets, s.knife_edge === true));
  for (const half of ['fit', 'held-out']) {
    assert.ok(has(half, (x) => x.some((v) => v.includes('auto-converge'))), `${half}: auto-converge`);
    assert.ok(has(half, (x) => x.includes('migration.multifd-channels=2')), `${half}: multifd 2`);
    assert.ok(has(half, (x) => x.includes('migration.multifd-channels=4')), `${half}: multifd 4`);
    assert.ok(has(half, (x) => x.some((v) => v.includes('xbzrle'))), `${half}: xbzrle`);
    assert.ok(has(half, (x) => x.includes('guest.memory="512M"')), `${half}: 512 MiB`);
    assert.ok(has(half, (x) => x.includes('guest.memory="1G"')), `${half}: 1 GiB`);
    assert.ok(has(half, (_x, knife) => knife), `${half}: knife edge`);
  }
});

test('converged or not: unanimous repeats want the model\'s majority, split repeats a fraction strictly inside (0, 1)', () => {
  assert.equal(convergenceRight(3, 3, 0.6), true);
  assert.equal(convergenceRight(3, 3, 0.4), false);
  assert.equal(convergenceRight(0, 3, 0.4), true);
  assert.equal(convergenceRight(0, 3, 0.5), false);
  assert.equal(convergenceRight(1, 3, 0.3), true);
  assert.equal(convergenceRight(1, 3, 1), false);
  assert.equal(convergenceRight(2, 5, 0), false);
});

test('a held-out setting is predicted and a fit one fitted; --load-aware gives the model the measured CPUs left', () => {
  const held = REAL_SET.find((s) => s.label === 'bw256M-dt1000')!;
  const fit = REAL_SET.find((s) => s.label === 'bw128M-dt1500')!;
  const rh = realSettingRows(held, readFixture(held.label)!, [1, 2]);
  const rf = realSettingRows(fit, readFixture(fit.label)!, [1, 2]);
  for (const r of rh.rows) assert.match(r.basis ?? '', /^predicted \(held out/);
  for (const r of rf.rows) assert.match(r.basis ?? '', /^fitted \(/);
  const f = readFixture(held.label)!;
  const left = cpusLeft(2, f);
  if (f['under-load']) {
    assert.ok(left !== null && left >= 0.5 && left <= 2, `cpus left ${left}`);
    const aware = realSettingRows(held, f, [1, 2], true);
    assert.match(aware.rows[0].note ?? '', new RegExp(`the model given ${left} of the 2 host CPUs`));
  } else assert.equal(left, null);
});

test('a whole label names one setting; other text every setting that contains it', () => {
  assert.deepEqual(selectSettings(['bw512M-dt500']).map((s) => s.label), ['bw512M-dt500']);
  assert.deepEqual(selectSettings(['bw512M-dt5']).map((s) => s.label).sort(), ['1G-bw512M-dt500', 'bw512M-dt500']);
  assert.deepEqual(selectSettings(['bw1G-dt100', 'mfd4']).map((s) => s.label).sort(), ['512M-mfd4-bw1G-dt300', 'bw1G-dt100', 'mfd4-bw1G-dt300', 'mfd4-bw256M-dt1000', 'mfd4-bw512M-dt200']);
  assert.equal(selectSettings([]).length, REAL_SET.length);
});
