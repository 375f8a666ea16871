// `migtrace scenarios`: the built-in scenarios, one line each.
import { BUILTIN_SCENARIOS } from '../scenario/builtin';
import type { CommandSpec, ParsedArgs } from './args';
import type { CliIO } from './io';

export const SCENARIOS_SPEC: CommandSpec = {
  name: 'scenarios',
  summary: 'List the built-in scenarios, one line each.',
  positionals: [],
  flags: [{ name: 'json', kind: 'bool', help: 'print them as one JSON object (name → scenario)' }],
};

function firstSentence(s: string): string {
  const m = /^(.*?[.:])(\s|$)/.exec(s);
  return (m ? m[1] : s).replace(/[.:]$/, '');
}

export function scenariosCommand(a: ParsedArgs, io: CliIO): number {
  if (a.flags.json) {
    io.out(JSON.stringify(BUILTIN_SCENARIOS));
    return 0;
  }
  const names = Object.keys(BUILTIN_SCENARIOS);
  const width = Math.max(...names.map((n) => n.length));
  for (const name of names) {
    const sc = BUILTIN_SCENARIOS[name] as { description?: string; guest: { memory: unknown; vcpus: number; workload: { kind: string } }; migration?: { profile?: string } };
    const mem = typeof sc.guest.memory === 'number' ? `${Math.round(sc.guest.memory / 1024 ** 3)}G` : String(sc.guest.memory);
    io.out(`${name.padEnd(width)}  ${mem}/${sc.guest.vcpus} vCPU ${sc.guest.workload.kind}, ${sc.migration?.profile ?? 'qemu-1.4'}: ${firstSentence(sc.description ?? '')}`);
  }
  return 0;
}
