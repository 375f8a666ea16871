// A CliIO that keeps what a command prints, for tests that call the CLI's main() in-process.
import type { CliIO } from '../../engine/cli/io';

export function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), progress: () => undefined, isTTY: false };
}
