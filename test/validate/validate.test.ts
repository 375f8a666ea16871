// The model against published figures (npm run validate): every figure within its tolerance,
// except the documented misses, which are listed here so a new miss cannot slip in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCases, formatRow, rowOk } from './cases';

const KNOWN_MISSES = ['seed-specjbb-128g converged-without-the-stop', 'chegu-256g-autoconverge downtime-ms'];

test('npm run validate: the model within tolerance of every reference figure, bar the documented misses', () => {
  const rows = allCases();
  for (const r of rows) console.log(formatRow(r));
  const misses = rows.filter((r) => !rowOk(r)).map((r) => `${r.case} ${r.metric}`);
  assert.deepEqual(misses, KNOWN_MISSES, 'only the documented misses are out of tolerance');
  for (const r of rows) if (!rowOk(r)) assert.ok(r.known_miss, `${r.case} ${r.metric} is out without an explanation`);
  assert.ok(rows.length >= 20);
  // every row says what it is: fitted, borrowed or predicted
  for (const r of rows) assert.match(formatRow(r), / basis=(fitted|borrowed|predicted) \(/, formatRow(r));
});
