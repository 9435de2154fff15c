import type { BenchResults } from './results.js';
import { round } from './stats.js';

const W = 960;
const H = 400;
const PANEL = { top: 60, bottom: 60, left: 70, width: 370, gap: 110 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const k = (v: number) =>
  v >= 10_000 ? `${Math.round(v / 1000)}k` : v >= 1000 ? `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(v)}`;

/** A round axis: about five steps of 1, 2 or 5 × 10ⁿ covering `v`. */
function axis(v: number): { max: number; step: number } {
  const rough = Math.max(v, 1) / 5;
  const p = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((m) => m * p).find((m) => m >= rough) ?? rough);
  return { max: Math.ceil(v / step) * step, step };
}

const r1 = (v: number) => round(v, 1);

interface Bar {
  label: string;
  value: number;
}

function panel(x0: number, title: string, xTitle: string, bars: readonly Bar[], top: number, lines: readonly { label: string; value: number; color: string }[]): string {
  const h = H - PANEL.top - PANEL.bottom;
  const { max, step } = axis(top);
  const y = (v: number) => r1(PANEL.top + h - (v / max) * h);
  const parts: string[] = [`<text x="${x0}" y="30" font-size="15" font-weight="bold">${esc(title)}</text>`];
  for (let v = 0; v <= max + step / 2; v += step) {
    parts.push(
      `<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${x0 - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end">${k(v)}</text>`,
    );
  }
  const slot = PANEL.width / Math.max(bars.length, 1);
  bars.forEach((b, i) => {
    const bx = r1(x0 + i * slot + slot * 0.2);
    const bw = r1(slot * 0.6);
    parts.push(
      `<rect x="${bx}" y="${y(b.value)}" width="${bw}" height="${r1(PANEL.top + h - y(b.value))}" fill="#3b7dd8"/>`,
      `<text x="${r1(bx + bw / 2)}" y="${r1(y(b.value) - 6)}" font-size="11" text-anchor="middle">${k(b.value)}</text>`,
      `<text x="${r1(bx + bw / 2)}" y="${PANEL.top + h + 16}" font-size="12" text-anchor="middle">${esc(b.label)}</text>`,
    );
  });
  for (const line of lines) {
    parts.push(
      `<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${y(line.value)}" y2="${y(line.value)}" stroke="${line.color}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
      `<text x="${x0 + PANEL.width + 4}" y="${y(line.value) + 4}" font-size="11" fill="${line.color}">${esc(line.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + PANEL.width / 2}" y="${H - 18}" font-size="12" text-anchor="middle">${esc(xTitle)}</text>`,
    `<line x1="${x0}" x2="${x0}" y1="${PANEL.top}" y2="${PANEL.top + h}" stroke="#333"/>`,
  );
  return parts.join('\n');
}

/** Throughput by batch size (against ceiling and floor) and by concurrency, as one SVG. */
export function renderChart(r: BenchResults): string {
  const ceiling = r.ceiling.recordsPerSecond;
  const floor = r.floor.recordsPerSecond;
  const max1 = Math.max(ceiling, ...r.loginEtl.map((t) => t.recordsPerSecond)) * 1.08;
  const max2 = Math.max(ceiling, ...r.concurrency.map((c) => c.recordsPerSecond)) * 1.08;
  const left = panel(
    PANEL.left,
    'login-etl records/s by batch size (1 handler)',
    'records per SQS event',
    r.loginEtl.map((t) => ({ label: t.batchSize.toLocaleString('en-US'), value: t.recordsPerSecond })),
    max1,
    [
      { label: 'ceiling (COPY)', value: ceiling, color: '#2a9d4a' },
      { label: 'floor', value: floor, color: '#c0392b' },
    ],
  );
  const right = panel(
    PANEL.left + PANEL.width + PANEL.gap,
    `records/s by concurrency (batch ${r.options.concurrencyBatch.toLocaleString('en-US')})`,
    'handler processes (peak connections)',
    r.concurrency.map((c) => ({ label: `${c.processes} (${c.peakConnections})`, value: c.recordsPerSecond })),
    max2,
    [{ label: 'ceiling', value: ceiling, color: '#2a9d4a' }],
  );
  const m = r.machine;
  const caption = `${m.cpu}, ${m.cores} cores; PostgreSQL ${m.postgres.settings.server_version ?? '?'} (${m.postgres.server}); ${r.startedAt.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    left,
    right,
    `<text x="${W / 2}" y="${H - 2}" font-size="10" fill="#666" text-anchor="middle">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
