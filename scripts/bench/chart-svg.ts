/**
 * Latency against load as a self-contained SVG: achieved commands/s across, request latency down
 * the side on a log scale (p50 and p99 of one level can be two orders of magnitude apart), one
 * colour per consistency, p50 solid and p99 dashed, each point labelled with its client count.
 * Hand-written rather than a charting package: a dozen points do not need a dependency.
 */

export type ChartPoint = Readonly<{ rate: number; p50: number; p99: number; clients: number }>;
export type ChartSeries = Readonly<{ name: string; points: readonly ChartPoint[] }>;

export const CHART_SIZE = { width: 960, height: 560 } as const;

const COLOURS: Record<string, string> = { QUEUED: '#1f77b4', DECIDED: '#d62728', PROJECTED: '#2ca02c' };
const FALLBACK_COLOURS = ['#9467bd', '#8c564b', '#e377c2'];
const PLOT = { left: 80, right: 200, top: 70, bottom: 60 } as const;

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A round step (1, 2 or 5 times a power of ten) that cuts `range` into about `count` parts. */
function niceStep(range: number, count: number): number {
  const raw = range / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw) ?? 10;
  return step * power;
}

const msLabel = (v: number): string => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);

export function latencyChartSvg(series: readonly ChartSeries[], title: string, subtitle: string): string {
  const { width, height } = CHART_SIZE;
  const plotW = width - PLOT.left - PLOT.right;
  const plotH = height - PLOT.top - PLOT.bottom;
  const points = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.rate) && p.p50 > 0 && p.p99 > 0);

  const maxRate = Math.max(1, ...points.map((p) => p.rate));
  const xStep = niceStep(maxRate * 1.1, 6);
  const xMax = Math.ceil((maxRate * 1.1) / xStep) * xStep;
  const latencies = points.flatMap((p) => [p.p50, p.p99]);
  // The axis runs between 1-2-5 steps around the data (at least 1 ms to 1 s): gridlines fall on round values.
  const steps = (from: number, to: number) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(from)) - 1; e <= Math.ceil(Math.log10(to)) + 1; e++) for (const m of [1, 2, 5]) out.push(Number((m * 10 ** e).toPrecision(1)));
    return out;
  };
  const lo = Math.min(1, ...latencies);
  const hi = Math.max(1000, ...latencies);
  const candidates = steps(lo, hi);
  const yMin = [...candidates].reverse().find((v) => v <= lo) ?? lo;
  const yMax = candidates.find((v) => v >= hi) ?? hi;
  const yTicks = candidates.filter((v) => v >= yMin && v <= yMax);
  const x = (rate: number) => PLOT.left + (rate / xMax) * plotW;
  const y = (ms: number) => PLOT.top + plotH - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${PLOT.left}" y="28" font-size="18" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<text x="${PLOT.left}" y="50" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`);

  // Grid and axes: x every round step; y at 1, 2 and 5 of every decade.
  for (let v = 0; v <= xMax + xStep / 2; v += xStep) {
    out.push(`<line x1="${x(v)}" y1="${PLOT.top}" x2="${x(v)}" y2="${PLOT.top + plotH}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${x(v)}" y="${PLOT.top + plotH + 18}" font-size="12" text-anchor="middle">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  for (const v of yTicks) {
    const decade = Number.isInteger(Math.log10(v));
    out.push(`<line x1="${PLOT.left}" y1="${y(v)}" x2="${PLOT.left + plotW}" y2="${y(v)}" stroke="${decade ? '#cccccc' : '#eeeeee'}"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end">${msLabel(v)}</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${PLOT.left + plotW / 2}" y="${height - 14}" font-size="13" text-anchor="middle">achieved commands/s (closed loop)</text>`);
  out.push(
    `<text x="20" y="${PLOT.top + plotH / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 20 ${PLOT.top + plotH / 2})">request latency (log scale)</text>`,
  );

  series.forEach((s, i) => {
    const colour = COLOURS[s.name] ?? FALLBACK_COLOURS[i % FALLBACK_COLOURS.length];
    // In client order: the line follows the load as it was raised, even where a level achieved less than the one before.
    const sorted = [...s.points].filter((p) => points.includes(p)).sort((a, b) => a.clients - b.clients);
    for (const [key, dash] of [
      ['p50', ''],
      ['p99', ' stroke-dasharray="6 4"'],
    ] as const) {
      if (sorted.length > 1) {
        const path = sorted.map((p) => `${x(p.rate).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
        out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      }
      for (const p of sorted) {
        const cx = x(p.rate).toFixed(1);
        const cy = y(p[key]).toFixed(1);
        out.push(
          key === 'p50'
            ? `<circle cx="${cx}" cy="${cy}" r="4" fill="${colour}"/>`
            : `<rect x="${Number(cx) - 4}" y="${Number(cy) - 4}" width="8" height="8" fill="#fff" stroke="${colour}" stroke-width="2"/>`,
        );
      }
    }
    for (const p of sorted) {
      out.push(`<text x="${x(p.rate) + 7}" y="${y(p.p50) + 14}" font-size="11" fill="${colour}">${p.clients} cl.</text>`);
    }
    const ly = PLOT.top + 10 + i * 24;
    const lx = PLOT.left + plotW + 20;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="13">${escapeXml(s.name)}</text>`);
  });
  const ky = PLOT.top + 10 + series.length * 24 + 16;
  const kx = PLOT.left + plotW + 20;
  out.push(`<line x1="${kx}" y1="${ky}" x2="${kx + 28}" y2="${ky}" stroke="#333" stroke-width="2"/><circle cx="${kx + 14}" cy="${ky}" r="4" fill="#333"/>`);
  out.push(`<text x="${kx + 36}" y="${ky + 4}" font-size="12">p50</text>`);
  out.push(
    `<line x1="${kx}" y1="${ky + 22}" x2="${kx + 28}" y2="${ky + 22}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/>` +
      `<rect x="${kx + 10}" y="${ky + 18}" width="8" height="8" fill="#fff" stroke="#333" stroke-width="2"/>`,
  );
  out.push(`<text x="${kx + 36}" y="${ky + 26}" font-size="12">p99</text>`);
  out.push(`<text x="${kx}" y="${ky + 52}" font-size="11" fill="#555">n cl. = closed-loop clients</text>`);
  out.push('</svg>');
  return out.join('\n');
}
