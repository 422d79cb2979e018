// BENCH_BASELINE: a second checkout of Latchkey measured beside this one in the same run, target by
// target in strictly alternating rounds (the other build leading every other target), so that a change can be
// judged by "no ratio drops by more than 5 %" on rates taken minutes, not hours, apart.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Measurement } from './autocannon.js';
import { BenchError } from './errors.js';
import { fmtMs, fmtRate, textTable } from './report.js';

export type BuildName = 'baseline' | 'current';

/** One target's rounds of both builds, each build's averaged. */
export interface Pair {
  baseline: Measurement;
  current: Measurement;
}

/** A ratio of the bench's list that depends on the build, evaluated for both. */
export interface RatioChange {
  name: string;
  baseline: number;
  current: number;
  target?: number;
  /** A bound from above (a latency ratio): it worsens when it grows. */
  atMost?: number;
}

/** The team's rule for a structural change: no ratio may drop by more than this. */
export const DROP_LIMIT = 0.05;

export const PREPARE_BASELINE = [
  'git -C <this checkout> worktree add --detach /tmp/latchkey-base <commit>',
  'cd /tmp/latchkey-base && npm ci',
];

/**
 * The baseline checkout's absolute path, once it holds what the bench runs of it: the server's
 * source, run through the checkout's own tsx with the node flags of its own `npm start`.
 */
export function checkBaseline(dir: string): string {
  const root = path.resolve(dir);
  const needed = ['package.json', 'packages/server/src/main.ts', 'node_modules/tsx/package.json'];
  const missing = needed.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length) {
    throw new BenchError(
      `BENCH_BASELINE=${dir} is not a Latchkey checkout ready to run (missing: ${missing.join(', ')}). Prepare one with:\n` +
        PREPARE_BASELINE.map((c) => `  ${c}`).join('\n'),
    );
  }
  return root;
}

/** "<short commit> <subject>", and whether tracked files differ from it: what was measured. */
export function describeCheckout(root: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const [hash, ...subject] = git('log', '-1', '--format=%h %s').split(' ');
    const s = subject.join(' ');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${hash} "${s.length > 60 ? s.slice(0, 59) + '…' : s}"${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return '(not a git checkout)';
  }
}

/** The rounds of one build on one target as one measurement: mean rate, mean p50 and p99. */
export function meanOf(name: string, rounds: Measurement[]): Measurement {
  const mean = (f: (m: Measurement) => number) => rounds.reduce((s, m) => s + f(m), 0) / rounds.length;
  const notes = rounds.map((m, i) => (m.note ? `round ${i + 1}: ${m.note}` : '')).filter(Boolean);
  return {
    name,
    rps: mean((m) => m.rps),
    p50: mean((m) => m.p50),
    p99: mean((m) => m.p99),
    ok: rounds.reduce((s, m) => s + m.ok, 0),
    failed: rounds.reduce((s, m) => s + m.failed, 0),
    note: notes.join('; ') || undefined,
  };
}

const ratio = (p: Pair) => p.current.rps / p.baseline.rps;
const change = (r: RatioChange) => r.current / r.baseline - 1;
const pct = (x: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x * 100).toFixed(1)} %`;
const dropped = (r: RatioChange) => (r.atMost !== undefined ? change(r) > DROP_LIMIT : change(r) < -DROP_LIMIT);
const targetText = (r: RatioChange) =>
  r.target !== undefined ? `>= ${r.target}` : r.atMost !== undefined ? `<= ${r.atMost}` : '';

export function pairsText(pairs: [string, Pair][]): string {
  const body = pairs.map(([name, p]) => [
    name,
    fmtRate(p.baseline.rps),
    fmtRate(p.current.rps),
    ratio(p).toFixed(2),
    fmtMs(p.baseline.p99),
    fmtMs(p.current.p99),
  ]);
  const notes = pairs.flatMap(([name, p]) =>
    (['baseline', 'current'] as const).filter((b) => p[b].note).map((b) => `  note: ${name}, ${b}: ${p[b].note}`),
  );
  return [
    textTable(['', 'baseline req/s', 'current req/s', 'current/baseline', 'baseline p99 ms', 'current p99 ms'], body),
    ...notes,
  ].join('\n');
}

export function pairsMarkdown(pairs: [string, Pair][]): string {
  const out = [
    '| target | baseline req/s | current req/s | current / baseline | baseline p99 ms | current p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [name, p] of pairs) {
    out.push(
      `| ${name} | ${fmtRate(p.baseline.rps)} | ${fmtRate(p.current.rps)} | ${ratio(p).toFixed(2)} | ${fmtMs(p.baseline.p99)} | ${fmtMs(p.current.p99)} |`,
    );
  }
  return out.join('\n');
}

export function changesText(list: RatioChange[]): string {
  if (list.length === 0) return '(no ratio of the list could be evaluated for both builds)';
  const body = list.map((r) => [
    r.name,
    r.baseline.toFixed(2),
    r.current.toFixed(2),
    pct(change(r)),
    targetText(r),
    dropped(r) ? 'DROP' : '',
  ]);
  return textTable(['', 'baseline', 'current', 'change', 'target', `worse by > ${DROP_LIMIT * 100} %`], body);
}

export function changesMarkdown(list: RatioChange[]): string {
  const out = [
    `| ratio | baseline | current | change | target | worse by > ${DROP_LIMIT * 100} %? |`,
    '|---|---:|---:|---:|---|---|',
  ];
  for (const r of list) {
    out.push(
      `| ${r.name} | ${r.baseline.toFixed(2)} | ${r.current.toFixed(2)} | ${pct(change(r))} | ${targetText(r) || '-'} | ${dropped(r) ? '**yes**' : 'no'} |`,
    );
  }
  return out.join('\n');
}

/** How many ratios dropped by more than DROP_LIMIT. */
export const drops = (list: RatioChange[]) => list.filter(dropped).length;
