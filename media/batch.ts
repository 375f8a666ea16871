// The renderer's drawing primitives. Rectangles are filled straight into a pixel buffer (one
// Uint32 per CSS pixel, rows filled with TypedArray.fill), which costs what the pixels cost: tens
// of thousands of one-pixel columns are as cheap as a few wide bars, where Canvas2D's fillRect
// charges per call. Runs of equal colour on a row are merged as they come. The buffer goes to the
// canvas in one putImageData + drawImage (scaled to device pixels without smoothing); labels are
// then drawn as text on top, each clipped to its region, so text stays crisp at any pixel ratio.

export interface Clip {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Text {
  x: number;
  y: number;
  s: string;
  color: string;
  font: string;
  align: CanvasTextAlign;
  clip: Clip | null;
}

const colors = new Map<string, number>();
/** palettes (a theme's state colours) as RGBA, looked up once per palette */
const palettes = new WeakMap<readonly string[], Uint32Array>();
let spare: ImageData | null = null;
const probe = document.createElement('canvas').getContext('2d')!;

/** A CSS colour as little-endian RGBA in a Uint32, and its alpha (0-255). */
function rgba(css: string): number {
  let v = colors.get(css);
  if (v === undefined) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 255;
    const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(css);
    if (m) {
      r = +m[1];
      g = +m[2];
      b = +m[3];
      if (m[4] !== undefined) a = Math.round(+m[4] * 255);
    } else {
      probe.fillStyle = css;
      const h = String(probe.fillStyle);
      if (h.startsWith('#')) {
        r = parseInt(h.slice(1, 3), 16);
        g = parseInt(h.slice(3, 5), 16);
        b = parseInt(h.slice(5, 7), 16);
      }
    }
    v = ((a << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
    colors.set(css, v);
  }
  return v;
}

export class RectBatch {
  /** rectangles filled (for the benchmark's primitive count) */
  count = 0;
  readonly w: number;
  readonly h: number;
  private readonly img: ImageData;
  private readonly px: Uint32Array;
  private readonly texts: Text[] = [];
  private clip: Clip | null = null;
  private lastColor = '';
  private lastRgba = 0;
  private lastPalette: readonly string[] | null = null;
  private lastPal: Uint32Array | undefined;
  // the run being extended
  private pc = '';
  private px0 = 0;
  private px1 = 0;
  private py = 0;
  private ph = 0;

  constructor(width: number, height: number) {
    this.w = Math.max(1, Math.ceil(width));
    this.h = Math.max(1, Math.ceil(height));
    // one pixel buffer reused from frame to frame (a frame covers all of it)
    if (spare === null || spare.width !== this.w || spare.height !== this.h) spare = new ImageData(this.w, this.h);
    this.img = spare;
    this.px = new Uint32Array(this.img.data.buffer);
  }

  /** Limits the following text (rectangles are drawn in order, later ones cover earlier ones). */
  setClip(c: Clip | null): void {
    this.clip = c;
  }

  rect(color: string, x: number, y: number, w: number, h: number): void {
    const x0 = Math.max(0, Math.round(x));
    const x1 = Math.min(this.w, Math.max(x0 + 1, Math.round(x + w)));
    const y0 = Math.max(0, Math.round(y));
    const y1 = Math.min(this.h, Math.round(y + h));
    if (x1 <= x0 || y1 <= y0 || w <= 0 || h <= 0) return;
    this.count++;
    if (color !== this.lastColor) {
      this.lastColor = color;
      this.lastRgba = rgba(color);
    }
    const c = this.lastRgba;
    const a = c >>> 24;
    const px = this.px;
    const W = this.w;
    if (a === 255) {
      if (x1 - x0 <= 8) {
        // narrow (a pixel column of a summary): plain stores beat a fill call per row
        for (let yy = y0, row = y0 * W; yy < y1; yy++, row += W) for (let i = row + x0, e = row + x1; i < e; i++) px[i] = c;
      } else {
        for (let yy = y0, row = y0 * W; yy < y1; yy++, row += W) px.fill(c, row + x0, row + x1);
      }
      return;
    }
    // translucent: blend over what is there
    const f = a / 255;
    const r = c & 255;
    const g = (c >>> 8) & 255;
    const b = (c >>> 16) & 255;
    for (let yy = y0; yy < y1; yy++) {
      for (let i = yy * this.w + x0, e = yy * this.w + x1; i < e; i++) {
        const d = px[i];
        const nr = r * f + (d & 255) * (1 - f);
        const ng = g * f + ((d >>> 8) & 255) * (1 - f);
        const nb = b * f + ((d >>> 16) & 255) * (1 - f);
        px[i] = ((255 << 24) | (nb << 16) | (ng << 8) | nr) >>> 0;
      }
    }
  }

  /**
   * The pixel columns of [x0, x1) (at least one), from `bottom` up: `heights[k]` pixels of
   * `palette[order[k]]` each (a stacked share of states). One primitive, whatever the parts.
   */
  column(x0: number, x1: number, bottom: number, order: readonly number[], heights: Int32Array, palette: readonly string[]): void {
    const a = Math.max(0, Math.round(x0));
    const b = Math.min(this.w, Math.max(Math.round(x0) + 1, Math.round(x1)));
    if (b <= a) return;
    this.endRun();
    this.count++;
    const W = this.w;
    let pal = palette === this.lastPalette ? this.lastPal : palettes.get(palette);
    if (pal === undefined) palettes.set(palette, (pal = Uint32Array.from(palette, rgba)));
    this.lastPalette = palette;
    this.lastPal = pal;
    let y = Math.round(bottom);
    for (let k = 0; k < order.length; k++) {
      let hh = heights[k];
      if (hh <= 0) continue;
      const c = pal[order[k]];
      for (; hh > 0; hh--) {
        y--;
        if (y >= 0 && y < this.h) for (let i = y * W + a, e = y * W + b; i < e; i++) this.px[i] = c;
      }
    }
  }

  /** A run on one row: merged with the previous one when it continues it in the same colour. */
  run(color: string, x0: number, x1: number, y: number, h: number): void {
    if (color === this.pc && y === this.py && h === this.ph && x0 <= this.px1 + 0.5) {
      if (x1 > this.px1) this.px1 = x1;
      return;
    }
    this.endRun();
    this.pc = color;
    this.px0 = x0;
    this.px1 = x1;
    this.py = y;
    this.ph = h;
  }

  endRun(): void {
    if (this.pc !== '') this.rect(this.pc, this.px0, this.py, Math.max(this.px1 - this.px0, 1), this.ph);
    this.pc = '';
  }

  text(s: string, x: number, y: number, color: string, font: string, align: CanvasTextAlign = 'left'): void {
    this.texts.push({ x, y, s, color, font, align, clip: this.clip });
  }

  /** The pixels onto `ctx` (its transform: CSS pixels to device pixels), then the text. */
  present(ctx: CanvasRenderingContext2D, dpr: number): void {
    this.endRun();
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (dpr === 1) ctx.putImageData(this.img, 0, 0);
    else {
      const tmp = scratch(this.w, this.h);
      tmp.putImageData(this.img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp.canvas, 0, 0, this.w * dpr, this.h * dpr);
    }
    ctx.restore();
    this.drawTexts(ctx);
  }

  private drawTexts(ctx: CanvasRenderingContext2D): void {
    let font = '';
    let color = '';
    let align: CanvasTextAlign | '' = '';
    let clip: Clip | null | undefined;
    ctx.textBaseline = 'middle';
    for (const t of this.texts) {
      if (t.clip !== clip) {
        if (clip !== undefined) ctx.restore();
        ctx.save();
        clip = t.clip;
        if (clip) {
          ctx.beginPath();
          ctx.rect(clip.x, clip.y, clip.w, clip.h);
          ctx.clip();
        }
        font = color = align = '';
      }
      if (t.font !== font) ctx.font = font = t.font;
      if (t.color !== color) ctx.fillStyle = color = t.color;
      if (t.align !== align) ctx.textAlign = align = t.align;
      ctx.fillText(t.s, t.x, t.y);
    }
    if (clip !== undefined) ctx.restore();
    this.texts.length = 0;
  }
}

let scratchCtx: CanvasRenderingContext2D | null = null;
function scratch(w: number, h: number): CanvasRenderingContext2D {
  if (scratchCtx === null || scratchCtx.canvas.width !== w || scratchCtx.canvas.height !== h) {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    scratchCtx = c.getContext('2d')!;
  }
  return scratchCtx;
}

/** `s` cut to fit `w` pixels at about `charW` per character, with an ellipsis; '' if nothing fits. */
export function fit(s: string, w: number, charW: number): string {
  const n = Math.floor(w / charW);
  if (n >= s.length) return s;
  if (n < 3) return '';
  return `${s.slice(0, n - 1)}…`;
}
