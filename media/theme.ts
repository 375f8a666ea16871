// Colours from the VS Code theme (--vscode-* variables, through the --mt-* ones of timeline.css,
// which fall back to a dark or light palette in the report), resolved to opaque rgb strings so
// that the renderer batches rectangles by colour. Thread states follow Perfetto's habits (running
// green, runnable pale green, blocked red, sleeping grey), lock lanes Tracy's (held green, held
// while others wait yellow, waiting red).

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface Theme {
  bg: string;
  fg: string;
  muted: string;
  border: string;
  laneAlt: string;
  headerBg: string;
  selection: string;
  focus: string;
  /** thread states by code (0 running ... 6 exited) */
  state: string[];
  /** lock lane: held, held while others wait, waiting */
  lock: string[];
  frames: string[];
  frameText: string;
  stage: Record<string, string>;
  stageAlt: string;
  marker: Record<string, string>;
  divergence: string;
  counter: string;
  counterFill: string;
  flow: string;
  session: string;
  font: string;
  mono: string;
  fontPx: number;
  dark: boolean;
}

const probe = document.createElement('canvas').getContext('2d')!;

export function parseColor(css: string, fallback: Rgb): Rgb & { a: number } {
  probe.fillStyle = '#010203';
  probe.fillStyle = css.trim() || '#010203';
  const v = String(probe.fillStyle);
  if (v === '#010203' && css.trim() !== '#010203') return { ...fallback, a: 1 };
  if (v.startsWith('#')) return { r: parseInt(v.slice(1, 3), 16), g: parseInt(v.slice(3, 5), 16), b: parseInt(v.slice(5, 7), 16), a: 1 };
  const m = /rgba?\(([^)]+)\)/.exec(v);
  if (!m) return { ...fallback, a: 1 };
  const p = m[1].split(',').map((x) => parseFloat(x));
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
}

const css = (c: Rgb): string => `rgb(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)})`;

/** `c` at opacity `a` over `under`, as an opaque colour. */
export function over(c: Rgb, a: number, under: Rgb): Rgb {
  return { r: c.r * a + under.r * (1 - a), g: c.g * a + under.g * (1 - a), b: c.b * a + under.b * (1 - a) };
}

export function readTheme(root: Element = document.body): Theme {
  const cs = getComputedStyle(root);
  const v = (name: string) => cs.getPropertyValue(name);
  const bg = parseColor(v('--mt-bg'), { r: 30, g: 30, b: 30 });
  const fg = parseColor(v('--mt-fg'), { r: 204, g: 204, b: 204 });
  const dark = bg.r * 0.299 + bg.g * 0.587 + bg.b * 0.114 < 128;
  const col = (name: string, fb: Rgb) => {
    const c = parseColor(v(name), fb);
    return c.a < 1 ? over(c, c.a, bg) : c;
  };
  const red = col('--mt-red', { r: 241, g: 76, b: 76 });
  const green = col('--mt-green', { r: 137, g: 209, b: 133 });
  const yellow = col('--mt-yellow', { r: 204, g: 167, b: 0 });
  const blue = col('--mt-blue', { r: 55, g: 148, b: 255 });
  const orange = col('--mt-orange', { r: 209, g: 134, b: 22 });
  const purple = col('--mt-purple', { r: 179, g: 128, b: 255 });
  const muted = col('--mt-muted', over(fg, 0.6, bg));
  const border = col('--mt-border', over(fg, 0.2, bg));
  const a = (c: Rgb, x: number) => css(over(c, x, bg));
  // frames: hues apart from the state colours (green, red), so a call is never read as a state
  const mixc = (x: Rgb, y: Rgb) => ({ r: (x.r + y.r) / 2, g: (x.g + y.g) / 2, b: (x.b + y.b) / 2 });
  const frameBase = [blue, purple, orange, mixc(blue, purple), mixc(orange, purple), mixc(blue, fg)];
  return {
    bg: css(bg),
    fg: css(fg),
    muted: css(muted),
    border: css(border),
    laneAlt: a(fg, dark ? 0.035 : 0.045),
    headerBg: a(fg, dark ? 0.08 : 0.07),
    selection: `rgba(${blue.r},${blue.g},${blue.b},0.22)`,
    focus: css(col('--mt-focus', blue)),
    state: [css(green), a(green, 0.4), css(red), a(fg, 0.16), css(blue), css(purple), a(fg, 0.05)],
    lock: [a(green, 0.85), css(yellow), css(red)],
    frames: [0.42, 0.6].flatMap((x) => frameBase.map((c) => a(c, x))),
    frameText: css(fg),
    stage: { setup: a(blue, 0.35), iteration: a(green, 0.22), 'stop-copy': a(orange, 0.45), done: a(fg, 0.3), unfinished: a(red, 0.45) },
    stageAlt: a(green, 0.36),
    marker: { hang: css(red), 'data-loss': css(red), fault: css(orange), failed: css(orange), cancelled: css(orange), truncated: css(yellow) },
    divergence: css(purple),
    counter: css(blue),
    counterFill: a(blue, 0.3),
    flow: `rgba(${fg.r},${fg.g},${fg.b},0.55)`,
    session: css(col('--mt-focus', yellow)),
    font: v('--mt-font').trim() || 'sans-serif',
    mono: v('--mt-mono').trim() || 'monospace',
    fontPx: parseFloat(v('--mt-font-size')) || 12,
    dark,
  };
}

const shadeTables = new WeakMap<Theme, Map<string, string[]>>();

/** `color` (an rgb() string of this theme) at about `alpha` over the background, in four steps. */
/** shade(t, color, a) for every a, as [a < 0.25, a < 0.55, a < 0.85, else]: index it with shadeStep(a). */
export function shades(t: Theme, color: string): string[] {
  return [shade(t, color, 0), shade(t, color, 0.25), shade(t, color, 0.55), color];
}

export const shadeStep = (alpha: number): number => (alpha >= 0.85 ? 3 : alpha >= 0.55 ? 2 : alpha >= 0.25 ? 1 : 0);

export function shade(t: Theme, color: string, alpha: number): string {
  if (alpha >= 0.85) return color;
  let table = shadeTables.get(t);
  if (table === undefined) shadeTables.set(t, (table = new Map()));
  let steps = table.get(color);
  if (steps === undefined) {
    const c = parseColor(color, { r: 128, g: 128, b: 128 });
    const bg = parseColor(t.bg, { r: 0, g: 0, b: 0 });
    steps = [0.25, 0.45, 0.7].map((q) => css(over(c, q, bg)));
    table.set(color, steps);
  }
  return steps[alpha >= 0.55 ? 2 : alpha >= 0.25 ? 1 : 0];
}
