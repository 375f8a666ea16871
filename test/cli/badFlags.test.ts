// Every flag of every command, misused, through the shipped command. The commands and their flags
// are read from `migtrace --help` and `migtrace <command> --help` (as a user finds them), so a
// command or flag added later is covered without touching this file. Each misuse: exit 2, one
// line naming the flag, no stack, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCase, cli, inPool, writeTable, type BadCase } from './cliHarness';

const root = mkdtempSync(join(tmpdir(), 'migtrace-flags-'));

interface Flag {
  name: string;
  short?: string;
  value?: string;
  repeat: boolean;
  int: boolean;
  nonNegative: boolean;
}
interface Command {
  name: string;
  required: string[];
  positionals: number;
  /** The last positional takes any number of values (`<dir>...`): no "extra" argument exists. */
  variadic: boolean;
  flags: Flag[];
}

let commands: Command[] = [];

async function helpOf(args: string[]): Promise<string> {
  const r = await cli(args, root);
  assert.equal(r.status, 0, `migtrace ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  const top = await helpOf(['--help']);
  const names = top.split('commands:\n')[1].split('\n\n')[0].split('\n').map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
  commands = await Promise.all(names.map(async (name) => {
    const h = await helpOf([name, '--help']);
    const usage = /^usage: (.*)$/m.exec(h)![1];
    const flags: Flag[] = [];
    for (const l of h.split('\n')) {
      const m = /^ {2}(?:-(\w), )?--([\w-]+)(?: (\S+))?\s{2,}(.*)$/.exec(l);
      if (m) flags.push({ short: m[1], name: m[2], value: m[3], repeat: /\(repeatable\)/.test(m[4]), int: /\(an integer, /.test(m[4]), nonNegative: /\(an integer, 0 (or more|to)/.test(m[4]) });
    }
    return { name, required: [...usage.matchAll(/<([^>]+)>/g)].map((x) => x[1]), positionals: [...usage.matchAll(/<[^>]+>|\[(?!flags\])[^\]]+\]/g)].length, variadic: /[>\]]\.\.\./.test(usage), flags };
  }));
});

after(() => {
  writeTable('every flag of every command');
  rmSync(root, { recursive: true, force: true });
});

test('--help lists every command, every exit code and where the scenario keys are documented', async () => {
  const top = await helpOf(['--help']);
  for (const code of [0, 1, 2, 3, 4, 5, 6, 7]) assert.match(top, new RegExp(`^ {2}${code} \\S`, 'm'), `exit code ${code} is listed`);
  assert.match(top, /README\.md "Scenarios" and dist\/scenario\.schema\.json/);
  for (const c of ['run', 'replay', 'info', 'export', 'compare', 'demo', 'scenarios', 'qemu-run', 'import-qemu']) assert.ok(commands.some((x) => x.name === c), c);
  for (const c of commands) {
    const h = await helpOf([c.name, '--help']);
    assert.match(h, /exit codes: 0 completed; 1 internal error; 2 bad usage or bad input; .*7 the trace is damaged or incomplete/, `${c.name} --help lists the exit codes`);
    if (c.required.includes('scenario')) assert.match(h, /scenario keys, sizes and units: README\.md "Scenarios"/, `${c.name} --help says where scenario keys are documented`);
  }
});

test('an unknown command gets "did you mean" and the list of commands', async () => {
  const cases: BadCase[] = [
    { args: ['rnu'], exit: 2, names: ['rnu'], says: /unknown command "rnu" \(did you mean "run"\?\); commands: / },
    { args: ['frobnicate'], exit: 2, names: ['frobnicate'], says: /unknown command "frobnicate"; commands: .*run/ },
  ];
  await inPool(cases, 2, (c, i) => checkCase(root, c, i).then(() => undefined));
});

test('every flag of every command: missing value, a flag as value, empty, twice, bad integers, values on switches, unknown and mistyped flags', async () => {
  const cases: BadCase[] = [];
  for (const c of commands) {
    const cmd = c.name;
    cases.push({ args: [cmd, '--frobnicate'], exit: 2, names: ['--frobnicate'], says: new RegExp(`unknown flag --frobnicate for "${cmd}"`) });
    cases.push({ args: [cmd, '-Z'], exit: 2, names: ['-Z'], says: /unknown flag -Z/ });
    if (c.flags.length > 0) {
      const f = c.flags[0];
      cases.push({ args: [cmd, `-${f.name}`], exit: 2, names: [`-${f.name}`], says: new RegExp(`unknown flag -${f.name} .*flags are spelled --name.*did you mean --${f.name}\\?`) });
    }
    if (c.positionals === 0) cases.push({ args: [cmd, 'extra'], exit: 2, names: ['extra'], says: /takes no arguments; got extra: extra/ });
    else if (!c.variadic) cases.push({ args: [cmd, ...Array.from({ length: c.positionals + 1 }, (_, i) => `p${i}`)], exit: 2, names: [`p${c.positionals}`], says: /got extra/ });
    if (c.required.length > 0) cases.push({ args: [cmd], exit: 2, names: [`<${c.required[0]}>`], says: /needs </ });
    for (const f of c.flags) {
      const flag = `--${f.name}`;
      if (f.name.length >= 4 && !c.flags.some((g) => g.name === f.name.slice(0, -1))) cases.push({ args: [cmd, `--${f.name.slice(0, -1)}`], exit: 2, names: [`--${f.name.slice(0, -1)}`], says: /did you mean --/ });
      if (f.value === undefined) {
        cases.push({ args: [cmd, `${flag}=yes`], exit: 2, names: [flag], says: /takes no value, got "yes"/ });
        continue;
      }
      cases.push({ args: [cmd, flag], exit: 2, names: [flag], says: new RegExp(`${flag} needs a value \\(.*\\) after it`) });
      cases.push({ args: [cmd, flag, '--json'], exit: 2, names: [flag, '--json'], says: /got the flag --json/ });
      cases.push({ args: [cmd, flag, '--help-me'], exit: 2, names: [flag, '--help-me'], says: /got the flag --help-me/ });
      if (f.short === undefined && c.flags.some((g) => g.short !== undefined)) {
        const s = c.flags.find((g) => g.short !== undefined)!.short!;
        cases.push({ args: [cmd, flag, `-${s}`], exit: 2, names: [flag, `-${s}`], says: new RegExp(`got the flag -${s}`) });
      }
      cases.push({ args: [cmd, flag, ''], exit: 2, names: [flag], says: /got an empty string/ });
      cases.push({ args: [cmd, `${flag}=`], exit: 2, names: [flag], says: /got an empty string/ });
      if (!f.repeat) cases.push({ args: [cmd, flag, '1', flag, '2'], exit: 2, names: [flag], says: /is given twice \("1" and "2"\)/ });
      if (f.int) {
        for (const v of ['x', '1.5', '1e3', '0x10', '99999999999999999999', '']) {
          if (v === '') continue;
          cases.push({ args: [cmd, flag, v], exit: 2, names: [flag, v], says: /must be an integer/ });
        }
        if (f.nonNegative) cases.push({ args: [cmd, flag, '-1'], exit: 2, names: [flag, '-1'], says: /must be 0 (or more|to)/ });
      }
    }
  }
  await inPool(cases, 3, (c, i) => checkCase(root, c, 100 + i).then(() => undefined));
  assert.ok(cases.length > 150, `${cases.length} cases`);
});

test('flag values each command checks itself: one line naming the flag and what is allowed', async () => {
  const trace = { 't.migtrace': 'not read' };
  const cases: BadCase[] = [
    { args: ['export', 't.migtrace'], files: trace, exit: 2, names: ['--perfetto', '--chrome'], says: /give one of --perfetto OUT or --chrome OUT/ },
    { args: ['export', 't.migtrace', '--perfetto', 'a', '--chrome', 'b'], files: trace, exit: 2, names: ['--perfetto', '--chrome'], says: /not both/ },
    { args: ['compare', 'qtest-bootblock'], exit: 2, names: ['--profiles', '--variant'], says: /give --profiles/ },
    { args: ['compare', 'qtest-bootblock', '--profiles', 'modern,nope'], exit: 2, names: ['nope'], says: /unknown profile "nope"; profiles: / },
    { args: ['compare', 'qtest-bootblock', '--variant', 'novalue'], exit: 2, names: ['--variant', 'novalue'], says: /must look like LABEL:key=value/ },
    { args: ['compare', 'qtest-bootblock', '--variant', 'x:migration.max-bandwith=1G'], exit: 2, names: ['--variant x:', 'migration.max-bandwith'], says: /did you mean "migration\.max-bandwidth"\?/ },
    { args: ['qemu-run', 'qtest-bootblock'], exit: 2, names: ['-o'], says: /-o F\.migtrace is required/ },
    { args: ['qemu-run', 'qtest-bootblock', '-o', 'x.migtrace', '--memory-backend', 'hugepages'], exit: 2, names: ['--memory-backend', 'hugepages'], says: /memfd or anonymous/ },
    { args: ['import-qemu', 'x.log'], exit: 2, names: ['-o'], says: /-o F\.migtrace is required/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migration.downtime-limit'], exit: 2, names: ['--set', 'migration.downtime-limit'], says: /expected key\.path=value/ },
    { args: ['run', 'qtest-bootblock', '--set', '=5'], exit: 2, names: ['--set', '=5'], says: /expected key\.path=value/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migration.max-bandwith=1G'], exit: 2, names: ['--set', 'max-bandwith'], says: /"migration" has no field "max-bandwith" \(did you mean "migration\.max-bandwidth"\?\)/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migratoin.downtime-limit=5'], exit: 2, names: ['--set', 'migratoin'], says: /a scenario has no field "migratoin" \(did you mean "migration"\?\)/ },
    { args: ['run', 'qtest-bootblock', '--set', 'guest.memory.size=1G'], exit: 2, names: ['--set', 'guest.memory'], says: /"guest\.memory" is a size, it has no field "size"/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migration.bugs.x=1'], exit: 2, names: ['--set', 'migration.bugs'], says: /is a list, it has no field "x"/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migration.downtime-limit=-3'], exit: 2, names: ['migration.downtime-limit', '-3'], says: /-3 is outside the allowed 1 to 2000000/ },
    { args: ['run', 'qtest-bootblock', '--set', 'guest.memory=4096'], exit: 2, names: ['guest.memory', '4096'], says: /4096 is 4 KiB, outside the allowed 1 MiB to 16 TiB; a number here counts bytes .*write "4096" or "4096M"/ },
    { args: ['run', 'qtest-bootblock', '--set', 'migration.max-bandwidth="1.5"'], exit: 2, names: ['migration.max-bandwidth', '1.5'], says: /a fraction of a byte/ },
  ];
  await inPool(cases, 3, (c, i) => checkCase(root, c, 1000 + i).then(() => undefined));
});
