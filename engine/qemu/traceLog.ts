// QEMU's `log` trace backend with `-msg timestamp=on`: one event per line,
// `<thread id>@<seconds>.<microseconds>:<event> <arguments>`. Lines that do not parse are
// counted and kept (with their line numbers) for the report, never dropped silently.

export interface TraceLine {
  tid: number;
  /** microseconds since the epoch */
  time_us: number;
  event: string;
  args: string;
  line: number;
}

export interface ParsedLog {
  lines: TraceLine[];
  malformed: number;
  /** the first few malformed lines, for the report */
  malformed_examples: { line: number; text: string }[];
  total: number;
}

const LINE = /^(\d+)@(\d+)\.(\d{1,6}):([A-Za-z_][A-Za-z0-9_]*)(?: (.*))?$/;

export function parseTraceLog(text: string): ParsedLog {
  const out: ParsedLog = { lines: [], malformed: 0, malformed_examples: [], total: 0 };
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    out.total++;
    const m = LINE.exec(raw);
    if (m === null) {
      out.malformed++;
      if (out.malformed_examples.length < 5) out.malformed_examples.push({ line: i + 1, text: raw.slice(0, 200) });
      continue;
    }
    const usec = Number(m[3].padEnd(6, '0'));
    out.lines.push({ tid: Number(m[1]), time_us: Number(m[2]) * 1e6 + usec, event: m[4], args: (m[5] ?? '').trim(), line: i + 1 });
  }
  // Lines of one file are in time order per thread, not necessarily across threads.
  out.lines.sort((a, b) => a.time_us - b.time_us || a.line - b.line);
  return out;
}
