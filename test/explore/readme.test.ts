// The README's "Schedule search" block, run as printed by a new user, in order, in a scratch
// directory: every line exits with a documented code and prints no stack trace; the shrunk trace it
// names exists and replays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { migtrace, tmp } from './cliUtil';

function block(): string[][] {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf('## Schedule search');
  assert.ok(at >= 0);
  const b = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(b !== null);
  return b[1].split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => {
    const words = l.split(/\s+/);
    assert.deepEqual(words.slice(0, 2), ['npx', 'migtrace'], l);
    return words.slice(2);
  });
}

test('README: the schedule-search lines work as printed', () => {
  const dir = tmp('readme-explore');
  const want: Record<string, number[]> = { explore: [0, 3, 4], replay: [0], info: [0], 'explore-merge': [3] };
  for (const args of block()) {
    const r = migtrace(args, { cwd: dir });
    assert.ok((want[args[0]] ?? [0]).includes(r.status ?? -1), `${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-800)}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, args.join(' '));
    if (args[0] === 'replay') assert.match(r.stdout, /reproduced .* byte for byte/);
    if (args[0] === 'info') assert.match(r.stdout, /explained by migtrace explore:/);
    const guided = args.includes('guided');
    if (args[1] === 'seed-stage3-hang' && !guided) assert.match(r.stdout, /failures: none in 20 runs[\s\S]*closest call: seed \d+/);
    if (args[1] === 'seed-stage3-hang' && guided) {
      assert.equal(r.status, 4, 'the guided search found no data loss');
      assert.match(r.stdout, /guided search: \d+ runs; [1-9]\d* seeds? failed/);
    }
    if (args[1] === 'kernel:lock-order-inversion') assert.match(r.stdout, /Chain exists of: A --> B --> A/);
  }
});
