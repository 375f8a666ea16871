// Gestures, as in Perfetto: W/S zoom and A/D pan while held (smoothly, every animation frame),
// ctrl+wheel zooms at the pointer, the wheel scrolls the lanes (shift+wheel or a sideways wheel
// pans), dragging the ruler (or shift+drag) pans, dragging across the lanes selects a range, a
// click selects what is under it, a double click zooms to it. Arrows move the lane focus, Enter
// expands or collapses the focused lane, Escape clears, F zooms to the selection, R replays to
// the selected time, 0 fits the whole run, / searches, ? shows the keys.

import { LABEL_W, RULER_H } from './layout';
import { hitTest } from './hit';
import { describeHit } from './describe';
import type { TimelineView } from './view';
import { showHelp } from './help';

const DRAG_PX = 4;

export function bindInput(v: TimelineView): void {
  const w = v.wrap;
  const pos = (e: MouseEvent) => {
    const r = v.overlay.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  let drag: { x: number; y: number; t: number; mode: 'pending' | 'range' | 'pan'; lastX: number } | null = null;

  w.addEventListener('wheel', (e) => {
    e.preventDefault();
    const p = pos(e);
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    const dx = e.deltaMode === 1 ? e.deltaX * 16 : e.deltaX;
    if (e.ctrlKey || e.metaKey) v.zoomAt(Math.exp(dy * 0.002), p.x);
    else if (e.shiftKey) v.panBy(dy || dx);
    else if (Math.abs(dx) > Math.abs(dy)) v.panBy(dx);
    else v.scrollBy(dy);
  }, { passive: false });

  w.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return;
    w.focus();
    const p = pos(e);
    if (p.x < LABEL_W && p.y >= RULER_H) return;
    drag = { x: p.x, y: p.y, t: v.timeAt(p.x), mode: p.y < RULER_H || e.shiftKey ? 'pan' : 'pending', lastX: p.x };
    e.preventDefault();
  });

  window.addEventListener('mousemove', (e) => {
    const p = pos(e);
    if (drag !== null) {
      if (drag.mode === 'pending' && Math.abs(p.x - drag.x) > DRAG_PX) drag.mode = 'range';
      if (drag.mode === 'pan') {
        v.panBy(drag.lastX - p.x);
        drag.lastX = p.x;
      } else if (drag.mode === 'range') {
        v.scene.range = { t0: Math.min(drag.t, v.timeAt(p.x)), t1: Math.max(drag.t, v.timeAt(p.x)) };
        v.invalidateOverlay();
      }
    }
    const inside = p.x >= 0 && p.y >= 0 && p.x < v.scene.vp.width && p.y < v.scene.vp.height;
    v.mouse = inside ? p : null;
    const h = inside && drag === null ? hitTest(v.scene, p.x, p.y) : null;
    v.hover = h;
    const d = h ? describeHit(v.scene, h) : null;
    if (d && h?.kind !== 'label') v.tooltip.show(d, p.x, p.y);
    else v.tooltip.hide();
    v.invalidateOverlay();
  });

  window.addEventListener('mouseup', (e) => {
    if (drag === null) return;
    const d = drag;
    drag = null;
    const p = pos(e);
    if (d.mode === 'range') {
      v.selectRange(d.t, v.timeAt(p.x));
      return;
    }
    if (d.mode === 'pan') return;
    const h = hitTest(v.scene, p.x, p.y);
    if (h) v.select(h);
  });

  w.addEventListener('click', (e) => {
    const p = pos(e);
    if (p.x >= LABEL_W || p.y < RULER_H) return;
    const h = hitTest(v.scene, p.x, p.y);
    if (h?.kind === 'label') {
      v.scene.focusKey = h.lane.key;
      v.toggleLane(h.lane);
    }
  });

  w.addEventListener('dblclick', (e) => {
    const p = pos(e);
    const h = hitTest(v.scene, p.x, p.y);
    const d = h ? describeHit(v.scene, h) : null;
    if (d?.span) v.zoomTo(d.span[0], d.span[1]);
  });

  w.addEventListener('mouseleave', () => {
    v.mouse = null;
    v.hover = null;
    v.tooltip.hide();
    v.invalidateOverlay();
  });

  // WASD held: zoom and pan continuously, by elapsed time, as Perfetto does.
  const held = new Set<string>();
  let last = 0;
  const step = (now: number) => {
    if (held.size === 0) return;
    const dt = Math.min(50, now - (last || now));
    last = now;
    const x = v.mouse?.x ?? LABEL_W + v.trackW / 2;
    if (held.has('w')) v.zoomAt(Math.exp(-dt * 0.004), x);
    if (held.has('s')) v.zoomAt(Math.exp(dt * 0.004), x);
    if (held.has('a')) v.panBy(-dt * 0.8);
    if (held.has('d')) v.panBy(dt * 0.8);
    v.paint();
    requestAnimationFrame(step);
  };

  w.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if ('wasd'.includes(k) && k.length === 1) {
      if (!held.has(k)) {
        const first = held.size === 0;
        held.add(k);
        // one step at once, so a tap moves too
        const x = v.mouse?.x ?? LABEL_W + v.trackW / 2;
        if (k === 'w') v.zoomAt(0.8, x);
        if (k === 's') v.zoomAt(1.25, x);
        if (k === 'a') v.panBy(-v.trackW * 0.1);
        if (k === 'd') v.panBy(v.trackW * 0.1);
        if (first) {
          last = 0;
          requestAnimationFrame(step);
        }
      }
      e.preventDefault();
      return;
    }
    const lanes = v.scene.lanes;
    const at = lanes.findIndex((l) => l.key === v.scene.focusKey);
    switch (k) {
      case 'ArrowLeft': v.panBy(-v.trackW * 0.1); break;
      case 'ArrowRight': v.panBy(v.trackW * 0.1); break;
      case 'ArrowDown':
      case 'ArrowUp': {
        const next = Math.min(lanes.length - 1, Math.max(0, at < 0 ? 0 : at + (k === 'ArrowDown' ? 1 : -1)));
        v.revealLane(lanes[next].key);
        v.announce(`${lanes[next].label} (${lanes[next].kind === 'thread' ? 'thread' : lanes[next].kind}), lane ${next + 1} of ${lanes.length}`);
        break;
      }
      case 'Enter':
      case ' ':
        if (at >= 0) v.toggleLane(lanes[at]);
        break;
      case 'Escape': v.clearSelection(); break;
      case '0':
      case 'Home': v.fit(); break;
      case '+':
      case '=': v.zoomAt(0.5, LABEL_W + v.trackW / 2); break;
      case '-': v.zoomAt(2, LABEL_W + v.trackW / 2); break;
      case 'f': {
        const d = v.selected ? describeHit(v.scene, v.selected) : null;
        if (d?.span) v.zoomTo(d.span[0], d.span[1]);
        else if (v.scene.range) v.zoomTo(v.scene.range.t0, v.scene.range.t1);
        break;
      }
      case 'r': {
        const t = v.replayTarget();
        if (t && v.host.replay) v.host.replay(t.trace, Math.round(t.t + v.models[t.trace].t0));
        break;
      }
      case '/': (v.root.querySelector('input.mt-search') as HTMLInputElement | null)?.focus(); break;
      case '?': showHelp(v.root); break;
      default: return;
    }
    e.preventDefault();
  });
  w.addEventListener('keyup', (e) => held.delete(e.key.toLowerCase()));
  w.addEventListener('blur', () => held.clear());
}
