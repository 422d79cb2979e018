// The bench's printed report: one table of rates and latencies, then the ratios against their targets.

export interface Row {
  name: string;
  rps: number;
  p50?: number;
  p99?: number;
  note?: string;
}

export interface Ratio {
  name: string;
  numerator?: number;
  denominator?: number;
  /** Met when numerator / denominator >= target. No target: informative only. */
  target?: number;
  /** Met when numerator / denominator <= atMost (a delay, a size: pass denominator 1). */
  atMost?: number;
  /** How the value reads in results.md (e.g. "12 ms"); the ratio by default. */
  shown?: string;
  /** The rate (or figure) measured, for results.md. */
  rate?: string;
}

/** The ratio's value, or undefined when a side was not measured. */
export function ratioValue(r: Ratio): number | undefined {
  return evaluate(r).value;
}

function evaluate(r: Ratio): { value?: number; met?: boolean } {
  if (!r.numerator || !r.denominator) return {};
  const value = r.numerator / r.denominator;
  if (r.target !== undefined) return { value, met: value >= r.target };
  if (r.atMost !== undefined) return { value, met: value <= r.atMost };
  return { value };
}

const targetText = (r: Ratio) =>
  r.target !== undefined ? `>= ${r.target}` : r.atMost !== undefined ? `<= ${r.atMost}` : '';

/** The targets as a Markdown table: part, rate, ratio, target, met? */
export function markdown(list: Ratio[]): string {
  const out = ['| part | rate | ratio / value | target | met? |', '|---|---:|---:|---|---|'];
  for (const r of list) {
    const { value, met } = evaluate(r);
    const shown = value === undefined ? 'n/a' : (r.shown ?? value.toFixed(2));
    const t = targetText(r);
    out.push(
      `| ${r.name} | ${r.rate ?? (r.numerator ? fmtRate(r.numerator) : '-')} | ${shown} | ${t || '-'} | ${t ? (met === undefined ? 'not measured' : met ? 'yes' : '**no**') : '-'} |`,
    );
  }
  return out.join('\n');
}

export function fmtRate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(2);
}

/** Aligned columns for the terminal: the first left-aligned, the others (figures) right-aligned. */
export function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('   '), ...body.map(line)].join('\n');
}

export function table(rows: Row[]): string {
  if (rows.length === 0) return '(nothing measured)';
  const body = rows.map((r) => [r.name, fmtRate(r.rps), fmtMs(r.p50), fmtMs(r.p99)]);
  const notes = rows.filter((r) => r.note).map((r) => `  note: ${r.name}: ${r.note}`);
  return [textTable(['', 'req/s', 'p50 ms', 'p99 ms'], body), ...notes].join('\n');
}

export interface RatioOutcome {
  text: string;
  /** Targets that could be evaluated and were missed. */
  missed: number;
}

export function ratios(list: Ratio[]): RatioOutcome {
  let missed = 0;
  const width = Math.max(...list.map((r) => r.name.length));
  const lines = list.map((r) => {
    const name = r.name.padEnd(width);
    const { value, met } = evaluate(r);
    const t = targetText(r);
    if (value === undefined) return `${name}      n/a${t ? `   (target ${t}: not measured)` : ''}`;
    const shown = value.toFixed(2).padStart(8);
    if (met === undefined) return `${name} ${shown}`;
    if (!met) missed++;
    return `${name} ${shown}   target ${t}: ${met ? 'met' : 'NOT MET'}`;
  });
  return { text: lines.join('\n'), missed };
}
