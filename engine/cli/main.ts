// The `migtrace` command: the same engine as the extension, for terminals and CI (DESIGN.md's CLI
// contract). Exit codes (errors.ts, listed by --help): 0 completed; 1 internal error; 2 bad usage
// or bad input; 3 hang; 4 invariant violated; 5 migration failed or did not converge; 6 replay
// diverged; 7 the trace is damaged or incomplete.

import { commandHelp, parseArgs, type CommandSpec, type ParsedArgs } from './args';
import { processIO, type CliIO } from './io';
import { runKernelDemo, runSeedDemo } from './demo';
import { RUN_SPEC, runCommand } from './runCommand';
import { SCENARIOS_SPEC, scenariosCommand } from './scenariosCommand';
import { COMPARE_SPEC, compareCommand } from './compareCommand';
import { IMPORT_QEMU_SPEC, QEMU_RUN_SPEC, importQemuCommand, qemuRunCommand } from './qemuCommands';
import { EXIT, EXIT_CODES_HELP, helpFooter, reportError } from './errors';
import { EXPORT_SPEC, INFO_SPEC, REPLAY_SPEC, exportCommand, infoCommand, replayCommand } from './traceCommands';
import { REPORT_SPEC, reportCommand } from './reportCommand';
import { ENGINE_VERSION } from '../version';
import { closestName } from '../util/closest';
import { DAP_SPEC, dapCommand } from './dapCommand';
import { exploreCommands } from './exploreCommand';

export { EXIT };

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
        { name: 'seed', kind: 'int', value: 'N', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'seed of the runs (default 1)' },
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
    '',
    'exit codes:',
    ...EXIT_CODES_HELP.map((l) => `  ${l}`),
    '',
    'Scenario keys, sizes and units: README.md "Scenarios" and dist/scenario.schema.json (generated from',
    'engine/scenario/schema.ts); `migtrace scenarios --json` prints the built-in scenarios in full.',
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
    const near = closestName(name, COMMANDS.map((c) => c.spec.name));
    io.err(`migtrace: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')} (see \`migtrace --help\`)`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${commandHelp(cmd.spec)}\n${helpFooter(cmd.spec)}`);
    return EXIT.ok;
  }
  try {
    return await cmd.run(parseArgs(cmd.spec, rest), io);
  } catch (e) {
    return reportError(name, e, io);
  }
}
