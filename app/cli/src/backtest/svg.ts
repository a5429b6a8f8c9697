// The backtest's chart, hand-written SVG in the style of crates/risk's premium chart: price,
// barrier and strike on top; coverage (escrow of live series) and cumulative release below, on
// one time axis in days.
import type { BacktestResult } from './engine';
import { QUOTE_DECIMALS } from './market';

const W = 720;
const PANEL = 220;
const L = 70;
const R = 16;
const TOP = 52;
const GAP = 60;
const BOTTOM = 40;
const H = TOP + PANEL + GAP + PANEL + BOTTOM;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
const PRICE_UNIT = 1e12;
const QUOTE_UNIT = 10 ** QUOTE_DECIMALS;

interface Line {
  name: string;
  colour: string;
  dash: string;
  /** null: a gap (no value at that sample). */
  values: (number | null)[];
}

/** The smallest of 1, 2, 2.5, 5 x 10^k at or above `v`: round axis labels. */
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}

/** One panel: its lines over `xs` (days), y from 0 to a round value above the largest, its
 * legend in a row above it; `shade` marks the samples (to the next one) behind the lines. */
function panel(top: number, xs: number[], lines: Line[], unit: string, shade?: { name: string; on: boolean[] }): string {
  const x1 = Math.max(xs[xs.length - 1] ?? 1, 1e-9);
  const yMax = niceCeiling(Math.max(1e-9, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null))) * 1.05);
  const sx = (x: number) => L + (x / x1) * (W - L - R);
  const sy = (y: number) => top + PANEL - (y / yMax) * PANEL;
  let s = '';
  let legendX = L + 4;
  if (shade) {
    // One rectangle per run of shaded samples (adjacent ones would leave hairlines between them).
    for (let j = 0; j < xs.length - 1; j++) {
      if (!shade.on[j]) continue;
      let k = j;
      while (k + 1 < xs.length - 1 && shade.on[k + 1]) k++;
      const x0 = sx(xs[j]!);
      s += `<rect x='${x0.toFixed(1)}' y='${top}' width='${(sx(xs[k + 1]!) - x0).toFixed(1)}' height='${PANEL}' fill='#f6d5d1'/>`;
      j = k;
    }
    s += `<rect x='${legendX}' y='${top - 17}' width='12' height='10' fill='#f6d5d1'/><text x='${legendX + 16}' y='${top - 8}'>${escape(shade.name)}</text>`;
    legendX += 30 + 6 * shade.name.length;
  }
  s += `<line x1='${L}' y1='${top + PANEL}' x2='${W - R}' y2='${top + PANEL}' stroke='#888'/>` +
    `<line x1='${L}' y1='${top}' x2='${L}' y2='${top + PANEL}' stroke='#888'/>`;
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    s += `<text x='${sx(f * x1).toFixed(1)}' y='${top + PANEL + 16}' text-anchor='middle'>${(f * x1).toFixed(1)}</text>` +
      `<text x='${L - 6}' y='${(sy(f * yMax) + 4).toFixed(1)}' text-anchor='end'>${compact(f * yMax)}</text>`;
  }
  s += `<text x='${L - 6}' y='${top - 8}' text-anchor='end'>${escape(unit)}</text>`;
  lines.forEach((line) => {
    let d = '';
    let pen = false;
    line.values.forEach((v, j) => {
      if (v === null) return void (pen = false);
      d += `${pen ? ' L' : d ? ' M' : 'M'}${sx(xs[j]!).toFixed(1)},${sy(v).toFixed(1)}`;
      pen = true;
    });
    if (d) s += `<path d='${d}' fill='none' stroke='${line.colour}' stroke-width='2' stroke-dasharray='${line.dash}'/>`;
    s += `<rect x='${legendX}' y='${top - 13}' width='12' height='3' fill='${line.colour}'/>` +
      `<text x='${legendX + 16}' y='${top - 8}'>${escape(line.name)}</text>`;
    legendX += 30 + 6 * line.name.length;
  });
  return s;
}

/** 12500 -> 12.5k; 1.5e6 -> 1.5M (axis labels). */
function compact(v: number): string {
  const trim = (x: number) => String(Number(x.toFixed(2)));
  if (v >= 1e6) return `${trim(v / 1e6)}M`;
  if (v >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

export function backtestSvg(r: BacktestResult, title: string): string {
  const xs = r.samples.map((s) => Number(s.time - r.start) / 86_400);
  const top = panel(TOP, xs, [
    { name: 'price', colour: '#2457c5', dash: '', values: r.samples.map((s) => Number(s.price) / PRICE_UNIT) },
    { name: 'barrier', colour: '#c0392b', dash: '5 4', values: r.samples.map(() => Number(r.barrier) / PRICE_UNIT) },
    { name: 'strike of the live series', colour: '#8a94a6', dash: '2 3', values: r.samples.map((s) => (s.strike === null ? null : Number(s.strike) / QUOTE_UNIT)) },
  ], 'price', { name: 'breach', on: r.samples.map((s) => s.breach === 'pending' || s.breach === 'confirmed') });
  const bottom = panel(TOP + PANEL + GAP, xs, [
    { name: 'coverage (escrow of live series)', colour: '#2e8b57', dash: '', values: r.samples.map((s) => Number(s.coverage) / QUOTE_UNIT) },
    { name: 'cumulative release', colour: '#d9822b', dash: '', values: r.samples.map((s) => Number(s.released) / QUOTE_UNIT) },
  ], 'quote');
  return `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 ${W} ${H}' font-family='sans-serif' font-size='11'>` +
    `<rect width='${W}' height='${H}' fill='white'/><text x='${L}' y='20' font-size='13'>${escape(title)}</text>` +
    top + bottom +
    `<text x='${(L + W - R) / 2}' y='${H - 8}' text-anchor='middle'>days</text></svg>\n`;
}
