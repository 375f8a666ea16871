// Numbers as a QEMU developer reads them: times in s / ms / us / ns with enough digits for the
// zoom, sizes in QEMU's binary units, counts with thousands separators.

/** A duration or a time, with three significant decimals in its unit. */
export function fmtNs(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (a >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${Math.round(ns)} ns`;
}

/**
 * A time on the ruler, in one unit for the whole ruler (chosen from the view's extent `span_ns`)
 * with as many decimals as the tick step needs; deep inside a long run, a second and an offset.
 */
export function fmtTick(ns: number, step_ns: number, span_ns: number): string {
  const mag = Math.max(Math.abs(span_ns), step_ns);
  if (step_ns < 1e6 && mag >= 1e9) {
    const unit = step_ns >= 1e3 ? 1e3 : 1;
    const s = Math.floor(ns / 1e9);
    const digits = Math.max(0, Math.ceil(-Math.log10(step_ns / unit) - 1e-9));
    return `${s} s + ${((ns - s * 1e9) / unit).toFixed(digits)} ${unit === 1e3 ? 'us' : 'ns'}`;
  }
  const unit = mag >= 1e9 ? 1e9 : mag >= 1e6 ? 1e6 : mag >= 1e3 ? 1e3 : 1;
  const name = unit === 1e9 ? 's' : unit === 1e6 ? 'ms' : unit === 1e3 ? 'us' : 'ns';
  const digits = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step_ns / unit) - 1e-9)));
  return `${(ns / unit).toFixed(digits)} ${name}`;
}

export function fmtBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 1024 ** 4) return `${(b / 1024 ** 4).toFixed(2)} TiB`;
  if (a >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  if (a >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (a >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}

/** 1234567 → "1,234,567" (toLocaleString is slow enough to show in a frame's profile). */
export function fmtCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** A counter's value in its unit. */
export function fmtValue(v: number, unit: string): string {
  if (unit === 'bytes') return fmtBytes(v);
  if (unit === '%') return `${Math.round(v)}%`;
  if (unit === 'Mbit/s') return v >= 1000 ? `${(v / 1000).toFixed(2)} Gbit/s` : `${v.toFixed(1)} Mbit/s`;
  if (unit === 'pages/s') return `${fmtCount(v)} pages/s`;
  return `${+v.toPrecision(4)} ${unit}`;
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}
