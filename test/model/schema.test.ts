// The JSON Schema that editors get (dist/scenario.schema.json) agrees with migtrace's own
// validator: checked with a real JSON Schema implementation (ajv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { BUILTIN_SCENARIOS } from '../../engine/scenario/builtin';
import { validateScenario } from '../../engine/scenario/validate';

const schema = JSON.parse(readFileSync('dist/scenario.schema.json', 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const check = ajv.compile(schema);

test('every built-in scenario is valid for the editor schema and for the validator', () => {
  for (const [name, sc] of Object.entries(BUILTIN_SCENARIOS)) {
    assert.equal(check(sc), true, `${name}: ${ajv.errorsText(check.errors)}`);
    assert.deepEqual(validateScenario(sc), [], name);
  }
});

test('scenarios the validator refuses are refused by the editor schema too', () => {
  const base = BUILTIN_SCENARIOS['qtest-bootblock'] as { guest: Record<string, unknown> };
  const bad = [
    { ...base, guest: { ...base.guest, vcpus: 'two' } },
    { ...base, guest: { ...base.guest, surprise: 1 } },
    { ...base, guest: { ...base.guest, workload: { kind: 'nope' } } },
    { ...base, migration: { 'downtime-limit': -1 } },
    { ...base, guest: { ...base.guest, memory: 'lots' } },
  ];
  for (const b of bad) {
    assert.ok(validateScenario(b).length > 0);
    assert.equal(check(b), false, JSON.stringify(b));
  }
});
