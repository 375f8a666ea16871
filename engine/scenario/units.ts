// Sizes and rates in a scenario, read as QEMU reads the option each field stands for.
//
// The rule (README.md "Scenarios" says the same, once):
// - A JSON number is a whole number of bytes (bytes per second for a rate), as QMP takes every
//   size (`max-bandwidth`, `xbzrle-cache-size`, a memory backend's `size`): 4097.5 is refused.
// - A string is read as QEMU's command line reads a size: qemu_strtosz() in util/cutils.c
//   (do_strtosz): decimal digits, an optional fraction, then at most one suffix B, K, M, G, T, P
//   or E, any case, binary (K = 1024); no spaces, no sign, no exponent, no "GiB" or "GB". A
//   fraction needs a scale above bytes (QEMU refuses "1.5" and "1.5B"; "1.0" is 1) and is rounded
//   to the nearest byte, half up (qemu_strtosz's fixed-point arithmetic since QEMU 6.0, commit
//   "utils: Use fixed-point arithmetic in qemu_strtosz"). Hexadecimal ("0x1000", no suffix, no
//   fraction) is accepted as QEMU accepts it. With no suffix the unit is the field's default:
//   bytes (qemu_strtosz) for every field except `guest.memory`.
// - `guest.memory` is `-m`: QEMU's parse_memory_options (softmmu/vl.c) appends "M" to a value
//   that ends in a digit ("legacy suffix-less format"), so "4097" is 4097 MiB, and "4G" is 4 GiB.
//   QEMU then rounds the RAM size up to 8 KiB; migtrace refuses a size that is not a whole number
//   of 4 KiB pages instead of changing the guest, so an inexact fraction ("0.3M") is refused.
//   Hexadecimal is refused here: QEMU turns "0x10" into "0x10M", which qemu_strtosz refuses.
// - Rates (`max-bandwidth`) are QMP's: bytes per second. (HMP's `migrate_set_parameter
//   max-bandwidth` reads a bare number as MiB/s; a scenario follows QMP, not HMP.)

export interface SizeRule {
  /** the unit of a string with no suffix: 'B' (qemu_strtosz) or 'M' (QEMU's -m) */
  default_suffix: 'B' | 'M';
  /** the size must be a multiple of this many bytes (and so exact: no rounding) */
  multiple_of?: number;
}

export const BYTES_RULE: SizeRule = { default_suffix: 'B' };
export const PAGE_BYTES = 4096;
/** guest.memory: QEMU's -m */
export const MEMORY_RULE: SizeRule = { default_suffix: 'M', multiple_of: PAGE_BYTES };

const SUFFIXES = 'BKMGTPE';

/** The regular expression a size string must match under `rule` (the schema uses it too). */
export function sizePattern(rule: SizeRule): string {
  const scaled = '[KMGTPEkmgtpe]';
  const num = '(\\d+\\.?\\d*|\\.\\d+)';
  const alts = rule.default_suffix === 'M'
    ? [`${num}${scaled}?`, '(\\d+\\.?0*|\\.0+)[Bb]']
    : [`${num}${scaled}`, '(\\d+\\.?0*|\\.0+)[Bb]?', '0[xX][0-9a-fA-F]+'];
  return `^(${alts.join('|')})$`;
}

function describe(rule: SizeRule): string {
  return rule.default_suffix === 'M'
    ? 'a size as QEMU\'s -m takes it: "4096" (MiB), "512M", "4G", "1.5T", or a whole number of bytes'
    : 'a size like "128G", "512M", "64K" or "4096" (bytes), or a whole number of bytes';
}

/** Bytes for a size under `rule`, or an error message saying what was wrong and what is expected. */
export function parseSize(v: unknown, rule: SizeRule = BYTES_RULE): number | string {
  let bytes: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return `must be a non-negative number of bytes, got ${v}`;
    if (!Number.isInteger(v)) return `${v} is not a whole number of bytes: a number here counts bytes (as QMP's sizes do); for a fraction give a string with a suffix, e.g. "${v}${rule.default_suffix === 'M' ? '' : 'M'}"${rule.default_suffix === 'M' ? ' (MiB, as -m reads it)' : ''}`;
    if (!Number.isSafeInteger(v)) return `${v} bytes is too large`;
    bytes = v;
  } else if (typeof v === 'string') {
    const r = parseSizeString(v, rule);
    if (typeof r === 'string') return r;
    bytes = r;
  } else {
    return `must be ${describe(rule)}; got ${JSON.stringify(v)}`;
  }
  if (rule.multiple_of !== undefined && bytes % rule.multiple_of !== 0) {
    return `${JSON.stringify(v)} is ${bytes} bytes, not a whole number of ${unitName(rule.multiple_of)}${typeof v === 'number' ? ' (a number here counts bytes, as QMP\'s sizes do)' : ''}`;
  }
  return bytes;
}

function parseSizeString(v: string, rule: SizeRule): number | string {
  const syntax = `must be ${describe(rule)}; got ${JSON.stringify(v)}`;
  if (/^0[xX]/.test(v)) {
    if (rule.default_suffix === 'M') return `${JSON.stringify(v)}: hexadecimal is not accepted for -m (QEMU reads "0x10" as "0x10M" and refuses it); write the size in decimal`;
    if (!/^0[xX][0-9a-fA-F]+$/.test(v)) return `${JSON.stringify(v)}: a hexadecimal size takes no suffix and no fraction (as qemu_strtosz); ${syntax}`;
    return checkedNumber(BigInt(v), v);
  }
  const m = /^(\d*)(?:\.(\d*))?([A-Za-z]*)$/.exec(v);
  if (m === null || (m[1] === '' && (m[2] ?? '') === '')) {
    if (/^\s|\s$/.test(v)) return `${JSON.stringify(v)} has spaces around it; ${syntax}`;
    if (/^-/.test(v)) return `${JSON.stringify(v)} is negative; ${syntax}`;
    return syntax;
  }
  const [, intPart, fracPart = '', suffixText] = m;
  const suffix = suffixText === '' ? rule.default_suffix : suffixText.toUpperCase();
  if (suffix.length !== 1 || !SUFFIXES.includes(suffix)) {
    const hint = /^[KMGTPE](I?B)$/i.test(suffixText) ? `; QEMU's suffixes are one letter (binary: K = 1024), write "${intPart}${fracPart ? `.${fracPart}` : ''}${suffixText[0].toUpperCase()}"` : '';
    return `${JSON.stringify(v)}: unknown suffix "${suffixText}" (QEMU's are B, K, M, G, T, P, E)${hint}`;
  }
  const mul = 1024n ** BigInt(SUFFIXES.indexOf(suffix));
  const den = 10n ** BigInt(fracPart.length);
  const num = (BigInt(intPart || '0') * den + BigInt(fracPart || '0')) * mul;
  const exact = num % den === 0n;
  if (mul === 1n && !exact) return `${JSON.stringify(v)} is a fraction of a byte: a fraction needs a suffix above B (as qemu_strtosz), e.g. "${v.replace(/[Bb]$/, '')}K"`;
  if (!exact && rule.multiple_of !== undefined) {
    return `${JSON.stringify(v)} is ${Number(num) / Number(den)} bytes, not a whole number of ${unitName(rule.multiple_of)}`;
  }
  // Round to the nearest byte, half up, as qemu_strtosz does.
  return checkedNumber((num * 2n + den) / (2n * den), v);
}

function unitName(multiple: number): string {
  return multiple === PAGE_BYTES ? '4 KiB pages' : `${multiple}-byte units`;
}

function checkedNumber(b: bigint, v: string): number | string {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) return `${JSON.stringify(v)} is too large (more than 8 PiB)`;
  return Number(b);
}

export function formatSize(bytes: number): string {
  for (const [s, n] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= n && bytes % (n / 1024) === 0) return `${+(bytes / n).toFixed(3)}${s}`;
  }
  return `${bytes}`;
}
