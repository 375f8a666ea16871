// Sizes follow one rule, QEMU's (engine/scenario/units.ts, README.md "Scenarios"): checked through
// the shipped command (a scenario file run, its `ram.total` read back, or the one line refusing
// it) and against the shipped editor schema (dist/scenario.schema.json, with a real JSON Schema
// implementation), which must refuse what the command refuses.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { checkCase, cli, inPool, writeTable, type BadCase } from './cliHarness';

const root = mkdtempSync(join(tmpdir(), 'migtrace-sizes-'));
const schema = JSON.parse(readFileSync('dist/scenario.schema.json', 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const editorAccepts = ajv.compile(schema);
const MiB = 1024 ** 2;

after(() => {
  writeTable('sizes');
  rmSync(root, { recursive: true, force: true });
});

function scenario(memory: unknown, extra: { workload?: Record<string, unknown>; migration?: Record<string, unknown> } = {}): Record<string, unknown> {
  return { guest: { memory, vcpus: 1, workload: { kind: 'idle', ...(extra.workload ?? {}) } }, migration: { 'max-bandwidth': '1G', ...(extra.migration ?? {}) }, limits: { 'max-time': 60 } };
}

/** guest.memory values that mean what QEMU's -m means, and the bytes they are. */
const MEMORY_OK: [unknown, number][] = [
  ['128', 128 * MiB], // -m 128: a bare number is MiB
  ['128.5', 128.5 * MiB], // a fraction that is whole pages
  ['128M', 128 * MiB],
  ['128m', 128 * MiB],
  ['0.125G', 128 * MiB],
  ['131072K', 128 * MiB],
  ['134217728B', 128 * MiB],
  ['128.0', 128 * MiB],
  [134217728, 128 * MiB], // a JSON number is bytes, as QMP takes sizes
];

test('guest.memory reads as QEMU\'s -m: the run has exactly that much RAM, and the editor schema accepts it', async () => {
  await inPool(MEMORY_OK, 3, async ([mem, bytes], i) => {
    const r = await checkCase(root, { files: { 's.json': JSON.stringify(scenario(mem)) }, args: ['run', 's.json', '--json', '-q'], exit: 0, names: [], lines: 0 }, i);
    assert.equal(JSON.parse(r.stdout).ram.total, bytes, `memory ${JSON.stringify(mem)}`);
    assert.equal(editorAccepts(scenario(mem)), true, `the editor schema refuses memory ${JSON.stringify(mem)}: ${ajv.errorsText(editorAccepts.errors)}`);
  });
});

/** [field, value, what the one line must say, whether JSON Schema can express the refusal] */
const BAD: [string, unknown, RegExp, boolean][] = [
  ['guest.memory', 4097.5, /4097\.5 is not a whole number of bytes: a number here counts bytes/, true],
  ['guest.memory', 4097, /4097 is 4097 bytes, not a whole number of 4 KiB pages \(a number here counts bytes/, true],
  ['guest.memory', 4096, /4096 is 4 KiB, outside the allowed 1 MiB to 16 TiB; a number here counts bytes \(as QMP's sizes do\): for 4096 MiB write "4096"/, true],
  ['guest.memory', -5, /must be a non-negative number of bytes, got -5/, true],
  ['guest.memory', '0.3M', /"0\.3M" is 314572\.8 bytes, not a whole number of 4 KiB pages/, false],
  ['guest.memory', '1.5B', /"1\.5B" is a fraction of a byte: a fraction needs a suffix above B/, true],
  ['guest.memory', '128GiB', /unknown suffix "GiB" \(QEMU's are B, K, M, G, T, P, E\); .*write "128G"/, true],
  ['guest.memory', '128GB', /unknown suffix "GB"/, true],
  ['guest.memory', '128 M', /unknown suffix|must be a size/, true],
  ['guest.memory', ' 128M', /has spaces around it/, true],
  ['guest.memory', '-1G', /is negative/, true],
  ['guest.memory', '1e3', /must be a size as QEMU's -m takes it/, true],
  ['guest.memory', '0x1000', /hexadecimal is not accepted for -m/, true],
  ['guest.memory', '', /must be a size as QEMU's -m takes it/, true],
  ['guest.memory', 'lots', /must be a size as QEMU's -m takes it: "4096" \(MiB\), "512M", "4G"/, true],
  ['guest.memory', '17T', /"17T" is 17 TiB, outside the allowed 1 MiB to 16 TiB/, false],
  ['guest.memory', '0.5', /"0\.5" is 512 KiB, outside the allowed 1 MiB/, false],
  ['guest.memory', '1E', /"1E" is too large/, false],
  ['guest.memory', true, /must be a size as QEMU's -m takes it/, true],
  ['guest.memory', null, /must be a size/, true],
  ['guest.workload.working-set', '1.5', /"1\.5" is a fraction of a byte/, true],
  ['guest.workload.working-set', 100.5, /100\.5 is not a whole number of bytes/, true],
  ['guest.workload.working-set', '64MiB', /unknown suffix "MiB"/, true],
  ['guest.workload.working-set', '0x10M', /a hexadecimal size takes no suffix and no fraction/, true],
  ['migration.max-bandwidth', '4097.5', /"4097\.5" is a fraction of a byte/, true],
  ['migration.max-bandwidth', 0, /0 is 0 bytes, outside the allowed 1 byte to 1 PiB/, true],
  ['migration.max-bandwidth', '0', /"0" is 0 bytes, outside the allowed 1 byte to 1 PiB/, false],
  ['migration.max-bandwidth', 1.5, /1\.5 is not a whole number of bytes/, true],
];

function withField(path: string, value: unknown): Record<string, unknown> {
  const sc = scenario('128M');
  const keys = path.split('.');
  let o = sc as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
  return sc;
}

test('a size that is not one: exit 2, one line naming the file, the field and the value, the schema refusing it too', async () => {
  const cases: BadCase[] = BAD.map(([field, value, says]) => ({ files: { 'bad.json': JSON.stringify(withField(field, value)) }, args: ['run', 'bad.json', '-q'], exit: 2, names: ['bad.json', field], says }));
  await inPool(cases, 3, (c, i) => checkCase(root, c, 100 + i).then(() => undefined));
  const onlyValidator: string[] = [];
  for (const [field, value, , expressible] of BAD) {
    const accepted = editorAccepts(withField(field, value));
    if (expressible) assert.equal(accepted, false, `the editor schema accepts ${field} = ${JSON.stringify(value)}`);
    else if (accepted) onlyValidator.push(`${field} = ${JSON.stringify(value)}`);
  }
  // JSON Schema has no arithmetic on strings: the range and page count of "17T" or "0.3M" are the
  // validator's alone (every other refusal above is the schema's too).
  assert.deepEqual(onlyValidator, ['guest.memory = "0.3M"', 'guest.memory = "17T"', 'guest.memory = "0.5"', 'guest.memory = "1E"', 'migration.max-bandwidth = "0"']);
});

test('--set takes sizes by the same rule: a string -m value is MiB, a number is bytes', async () => {
  const r = await cli(['run', 'qtest-bootblock', '--set', 'guest.memory="200"', '--json', '-q'], root);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ram.total, 200 * MiB);
  const c = await checkCase(root, { args: ['run', 'qtest-bootblock', '--set', 'guest.memory=200', '-q'], exit: 2, names: ['guest.memory', '200'], says: /200 is 200 bytes, not a whole number of 4 KiB pages/ }, 500);
  assert.equal(c.stdout, '');
});

test('the built-in scenarios are valid under the rule, for the command and for the editor schema', async () => {
  const r = await cli(['scenarios', '--json'], root);
  assert.equal(r.status, 0, r.stderr);
  for (const [name, sc] of Object.entries(JSON.parse(r.stdout) as Record<string, unknown>)) assert.equal(editorAccepts(sc), true, `${name}: ${ajv.errorsText(editorAccepts.errors)}`);
});
