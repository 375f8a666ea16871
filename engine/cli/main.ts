// The `migtrace` command: the same engine as the extension, for terminals and CI (DESIGN.md's CLI
// contract). Exit codes: 0 completed; 2 bad usage or bad input; 3 hang; 4 invariant violated;
// 5 migration failed or did not converge; 6 replay diverged.

import { commandHelp, parseArgs, UsageError, type CommandSpec, type ParsedArgs } from './args';
import { processIO, type CliIO } from './io';
import { runKernelDemo, runSeedDemo } from './demo';
import { RUN_SPEC, runCommand } from './runCommand';
import { SCENARIOS_SPEC, scenariosCommand } from './scenariosCommand';
import { COMPARE_SPEC, compareCommand } from './compareCommand';
import { IMPORT_QEMU_SPEC, QEMU_RUN_SPEC, importQemuCommand, qemuRunCommand } from './qemuCommands';
import { QemuRunError } from '../qemu/qemuRun';
import { BootImageError } from '../qemu/bootImage';
import { QmpError } from '../qemu/qmp';
import { ScenarioError } from '../scenario/validate';
import { EXPORT_SPEC, INFO_SPEC, REPLAY_SPEC, exportCommand, infoCommand, replayCommand } from './traceCommands';
import { REPORT_SPEC, reportCommand } from './reportCommand';
import { TraceError } from '../trace/format';
import { ENGINE_VERSION } from '../version';
import { DAP_SPEC, dapCommand } from './dapCommand';
import { exploreCommands } from './exploreCommand';

export const EXIT = { ok: 0, usage: 2, hang: 3, invariant: 4, failed: 5, diverged: 6 } as const;

interface Command {
  spec: CommandSpec;
  run(a: ParsedArgs, io: CliIO): number | Promise<number>;
}

const wallClockMs = (): number => Date.now();

const COMMANDS: Command[] = [
  { spec: SCENARIOS_SPEC, run: scenariosCommand },
  { spec: RUN_SPEC, run: (a, io) => runCommand(a, io, wallClockMs) },
  { spec: REPLAY_SPEC, run: replayCommand },
  { spec: COMPARE_SPEC, run: compareCommand },
  { spec: INFO_SPEC, run: infoCommand },
  { spec: EXPORT_SPEC, run: exportCommand },
  { spec: REPORT_SPEC, run: reportCommand },
  { spec: QEMU_RUN_SPEC, run: qemuRunCommand },
  { spec: IMPORT_QEMU_SPEC, run: importQemuCommand },
  { spec: DAP_SPEC, run: dapCommand },
  ...exploreCommands(wallClockMs),
  {
    spec: {
      name: 'demo',
      summary: 'Simulate the 2012 report\'s two migrations (idle and SpecJBB) and print their `info migrate`.',
      positionals: [],
      flags: [
        { name: 'seed', kind: 'int', value: 'N', help: 'seed of the runs (default 1)' },
        { name: 'kernel', kind: 'bool', help: 'run the simulation kernel\'s example programs instead (deadlock, lost wakeup, livelock)' },
      ],
    },
    run: (a, io) => (a.flags.kernel ? runKernelDemo(io, (a.flags.seed as number | undefined) ?? 1) : runSeedDemo(io, (a.flags.seed as number | undefined) ?? 1, wallClockMs)),
  },
];

function topHelp(): string {
  const lines = [
    `migtrace ${ENGINE_VERSION}: deterministic simulation, recording and replay of QEMU-style live migrations`,
    '',
    'usage: migtrace <command> [arguments] [flags]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(14)} ${c.spec.summary}`),
    '',
    'Run `migtrace <command> --help` for its arguments and flags.',
  ];
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.out(ENGINE_VERSION);
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (cmd === undefined) {
    io.err(`migtrace: unknown command "${name}"\n\n${topHelp()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd.spec));
    return EXIT.ok;
  }
  try {
    return await cmd.run(parseArgs(cmd.spec, rest), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`migtrace ${name}: ${e.message}\nRun \`migtrace ${name} --help\` for usage.`);
      return EXIT.usage;
    }
    if (e instanceof ScenarioError || e instanceof TraceError || e instanceof QemuRunError || e instanceof BootImageError) {
      io.err(`migtrace ${name}: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof QmpError) {
      io.err(`migtrace ${name}: QEMU: ${e.message}`);
      return EXIT.failed;
    }
    throw e;
  }
}
