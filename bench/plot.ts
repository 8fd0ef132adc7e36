// A hand-written SVG of two line charts against N (log scale): time to
// converge (operator, Ready, the baseline) and the operator's peak memory,
// with the targets drawn in. No dependency.

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
  /** A target: a horizontal line, or a marker at one x only. */
  target?: { y: number; label: string; atX?: number };
  /** Log scale on y (time against N on log–log axes: a slope of 1 is linear growth). */
  logY?: boolean;
}

const W = 460;
const H = 320;
const M = { left: 72, right: 44, top: 36, bottom: 48 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(p: Panel, xs: number[], offsetX: number): string {
  const all = p.series.flatMap((s) => s.points.map((q) => q.y)).filter((y) => y > 0);
  const hi = Math.max(...all, p.target?.y ?? 0, 1);
  const yMax = p.logY ? 10 ** Math.ceil(Math.log10(hi * 1.05)) : niceMax(hi * 1.05);
  const yMin = p.logY ? 10 ** Math.floor(Math.log10(Math.min(...all, p.target?.y ?? Infinity, hi))) : 0;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const lx = (x: number): number => (xMax === xMin ? 0.5 : (Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin)));
  const ly = (y: number): number =>
    p.logY ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : y / yMax;
  const px = (x: number): number => offsetX + M.left + lx(x) * (W - M.left - M.right);
  const py = (y: number): number => M.top + (1 - ly(y)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<text x="${offsetX + W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  // axes and grid
  const ticks: number[] = [];
  if (p.logY) for (let y = yMin; y <= yMax * 1.001; y *= 10) ticks.push(y);
  else for (let i = 0; i <= 5; i++) ticks.push((yMax * i) / 5);
  for (const y of ticks) {
    out.push(`<line x1="${px(xMin)}" x2="${px(xMax)}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${offsetX + M.left - 6}" y="${py(y) + 4}" text-anchor="end" font-size="11">${+y.toPrecision(3)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${py(yMin)}" y2="${py(yMax)}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${py(yMin) + 16}" text-anchor="middle" font-size="11">${x}</text>`);
  }
  out.push(`<text x="${offsetX + W / 2}" y="${H - 10}" text-anchor="middle" font-size="12">N (HarborClusters, log scale)</text>`);
  out.push(
    `<text x="${offsetX + 16}" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${offsetX + 16} ${(M.top + H - M.bottom) / 2})">${esc(p.yLabel)}</text>`,
  );
  const t = p.target;
  if (t && t.atX !== undefined) {
    const x = px(t.atX);
    const y = py(t.y);
    out.push(`<line x1="${x - 14}" x2="${x + 14}" y1="${y}" y2="${y}" stroke="#c00" stroke-width="2"/>`);
    out.push(`<path d="M${x - 5} ${y - 5} L${x + 5} ${y + 5} M${x - 5} ${y + 5} L${x + 5} ${y - 5}" stroke="#c00" stroke-width="2"/>`);
    out.push(`<text x="${x - 8}" y="${y + 18}" text-anchor="end" font-size="11" fill="#c00">${esc(t.label)}</text>`);
  } else if (t) {
    out.push(`<line x1="${px(xMin)}" x2="${px(xMax)}" y1="${py(t.y)}" y2="${py(t.y)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${px(xMax)}" y="${py(t.y) - 5}" text-anchor="end" font-size="11" fill="#c00">${esc(t.label)}</text>`);
  }
  // series and legend
  p.series.forEach((s, i) => {
    const pts = s.points.filter((q) => Number.isFinite(q.y)).sort((a, b) => a.x - b.x);
    if (pts.length > 0) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''} points="${pts
          .map((q) => `${px(q.x).toFixed(1)},${py(q.y).toFixed(1)}`)
          .join(' ')}"/>`,
      );
      for (const q of pts) {
        out.push(`<circle cx="${px(q.x).toFixed(1)}" cy="${py(q.y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: N=${q.x} → ${q.y}`)}</title></circle>`);
        out.push(`<text x="${(px(q.x) + 5).toFixed(1)}" y="${(py(q.y) - 6).toFixed(1)}" font-size="10" fill="${s.color}">${+q.y.toPrecision(3)}</text>`);
      }
    }
    const legendY = M.top + 8 + i * 16;
    out.push(
      `<line x1="${offsetX + M.left + 10}" x2="${offsetX + M.left + 30}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    out.push(`<text x="${offsetX + M.left + 36}" y="${legendY + 4}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function svgPlot(panels: Panel[], xs: number[], caption: string): string {
  const width = W * panels.length;
  const height = H + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(p, xs, i * W)),
    `<text x="8" y="${height - 6}" font-size="10" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
