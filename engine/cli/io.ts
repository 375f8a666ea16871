// What a CLI command may touch, injected so tests can run commands in-process and capture output.

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** progress for long work (stderr, one line that is rewritten on a terminal) */
  progress(text: string): void;
  isTTY: boolean;
}

export function processIO(): CliIO {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    progress: (t) => {
      if (tty) {
        process.stderr.write(`\r${t.padEnd(last)}`);
        last = t.length;
        if (t === '') process.stderr.write('\r');
      } else if (t !== '') {
        process.stderr.write(`${t}\n`);
      }
    },
    isTTY: tty,
  };
}
