// `npm run soak`: the token endpoint at full rate for SOAK_MINUTES (10), to catch what a 5 s bench
// cannot: errors that come with time, a p99 that drifts, memory that keeps growing. One Latchkey
// process (the build, SQLite, `npm start`'s node flags) answers a personal client's client_credentials
// requests from BENCH_CONNECTIONS (10) connections, measured in windows of SOAK_WINDOW_SECONDS (30).
// The ceiling (Fastify + one ES256 signature, bench/ceiling-server.ts) is measured under the same load
// before and after, for the p99 bound. It passes when:
//   - no request failed (every answer 200, no connection error or timeout);
//   - every window's p99 is at most 3 × the ceiling's p99 (the bench's target);
//   - RSS over the last minute is on average less than 10 % above RSS over the second (read every
//     second: a single reading swings by ±10 % with the garbage collector's cycles).
// Writes bench/soak.md (SOAK_RESULTS=- to skip; another path to write there) and exits 1 on a miss.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, type LoadRequest, type Measurement } from './lib/autocannon.js';
import { form, FORM } from './lib/http.js';
import { freePort, installCleanup, ROOT, startNode, stopAll, waitForHttp } from './lib/processes.js';
import {
  adminHeaders,
  createPersonalClient,
  PERSONAL_CC_BODY,
  START_NODE_ARGS,
  startLatchkey,
  TOKEN_PATH,
} from './lib/latchkey.js';

const num = (name: string, def: number) => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const MINUTES = num('SOAK_MINUTES', 10);
const WINDOW = num('SOAK_WINDOW_SECONDS', 30);
const CONNECTIONS = Math.round(num('BENCH_CONNECTIONS', 10));
const CEILING_SECONDS = 20;
const P99_BOUND = 3;
const RSS_GROWTH_BOUND = 0.1;
const RESULTS = process.env.SOAK_RESULTS ?? 'bench/soak.md';
const started = Date.now();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-soak-'));
installCleanup(MINUTES * 60 + 4 * CEILING_SECONDS + 180, () => fs.rmSync(dir, { recursive: true, force: true }));
const log = (s: string) => process.stdout.write(s + '\n');

const readRss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const failures = (m: Measurement) => m.failed + (m.note?.includes('connection errors') ? 1 : 0);

interface Window {
  at: number;
  m: Measurement;
  rss: number;
}

async function ceiling(origin: string, label: string): Promise<Measurement> {
  const request: LoadRequest = {
    method: 'POST',
    path: '/token',
    headers: { 'content-type': FORM },
    body: form({ grant_type: 'client_credentials', scope: 'myservices' }),
  };
  const m = await measure({
    name: label,
    origin,
    request,
    connections: CONNECTIONS,
    seconds: CEILING_SECONDS,
    warmupSeconds: 2,
  });
  log(`  ${label}: ${Math.round(m.rps)} req/s, p99 ${m.p99.toFixed(2)} ms`);
  return m;
}

let exitCode = 0;
try {
  if (!fs.existsSync(path.join(ROOT, 'packages/server/dist/main.js')))
    throw new Error('build the server first: npm run build');
  log(
    `soak: ${MINUTES} min of client_credentials (personal client), ${CONNECTIONS} connections, ${WINDOW} s windows, node ${START_NODE_ARGS.join(' ') || '(V8 defaults)'}`,
  );
  const port = await freePort();
  const ceilingOrigin = `http://127.0.0.1:${port}`;
  const ceilingProc = startNode('ceiling', 'bench/ceiling-server.ts', { PORT: String(port) }, [], START_NODE_ARGS);
  await waitForHttp(ceilingOrigin + '/', ceilingProc);
  const before = await ceiling(ceilingOrigin, 'ceiling before');

  const lk = await startLatchkey('latchkey', {
    dataDir: path.join(dir, 'data'),
    script: 'packages/server/dist/main.js',
  });
  const client = await createPersonalClient(lk, await adminHeaders(lk), 'soak');
  const request: LoadRequest = { method: 'POST', path: TOKEN_PATH, headers: client.headers, body: PERSONAL_CC_BODY };
  const pid = lk.proc.child.pid!;
  const windows: Window[] = [];
  const soakStart = Date.now();
  const end = soakStart + MINUTES * 60_000;
  const rssSamples: { at: number; mb: number }[] = [];
  const sampler = setInterval(() => rssSamples.push({ at: (Date.now() - soakStart) / 1000, mb: readRss(pid) }), 1000);
  let warm = true;
  // The last window takes what is left, unless that is under 5 s (too few requests for a p99).
  while (end - Date.now() >= 5000) {
    const left = Math.round((end - Date.now()) / 1000);
    const seconds = left - WINDOW < 5 ? left : WINDOW;
    const m = await measure({
      name: 'latchkey',
      origin: lk.origin,
      request,
      connections: CONNECTIONS,
      seconds,
      warmupSeconds: warm ? 2 : 0,
    });
    warm = false;
    const w = { at: (MINUTES * 60_000 - (end - Date.now())) / 1000, m, rss: readRss(pid) };
    windows.push(w);
    log(
      `  ${w.at.toFixed(0).padStart(4)} s: ${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, RSS ${w.rss.toFixed(0)} MB${m.note ? ` (${m.note})` : ''}`,
    );
  }
  clearInterval(sampler);
  await lk.proc.stop();
  const after = await ceiling(ceilingOrigin, 'ceiling after');
  await ceilingProc.stop();

  const ceilingP99 = (before.p99 + after.p99) / 2;
  const failed = windows.reduce((n, w) => n + failures(w.m), 0);
  const worstP99 = Math.max(...windows.map((w) => w.m.p99));
  const meanRss = (from: number, to: number) => {
    const xs = rssSamples.filter((x) => x.at >= from && x.at < to).map((x) => x.mb);
    return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  };
  const total = MINUTES * 60;
  const secondMinute = meanRss(Math.min(60, total / 4), Math.min(120, total / 2));
  const lastMinute = meanRss(total - Math.min(60, total / 4), total + 1);
  const rssGrowth = lastMinute / secondMinute - 1;
  const checks: [string, string, boolean][] = [
    ['requests failed', String(failed), failed === 0],
    [
      `worst window p99 / ceiling p99 (${ceilingP99.toFixed(2)} ms)`,
      `${(worstP99 / ceilingP99).toFixed(2)} (${worstP99.toFixed(2)} ms), target <= ${P99_BOUND}`,
      worstP99 <= P99_BOUND * ceilingP99,
    ],
    [
      `mean RSS growth from the second minute (${secondMinute.toFixed(0)} MB) to the last (${lastMinute.toFixed(0)} MB)`,
      `${(rssGrowth * 100).toFixed(1)} %, target < ${RSS_GROWTH_BOUND * 100} %`,
      rssGrowth < RSS_GROWTH_BOUND,
    ],
  ];
  log('');
  for (const [what, value, ok] of checks) log(`${ok ? 'yes' : 'NO '}  ${what}: ${value}`);
  if (checks.some(([, , ok]) => !ok)) exitCode = 1;
  if (RESULTS !== '-') {
    const md = [
      '# Soak results',
      '',
      `Written by \`npm run soak\` on ${new Date().toISOString()} (Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${MINUTES} min, ${CONNECTIONS} connections, ${WINDOW} s windows; took ${Math.round((Date.now() - started) / 1000)} s).`,
      '',
      '| check | value | met? |',
      '|---|---|---|',
      ...checks.map(([what, value, ok]) => `| ${what} | ${value} | ${ok ? 'yes' : '**no**'} |`),
      '',
      `Ceiling (Fastify + one ES256 signature) under the same load: ${Math.round(before.rps)} req/s, p99 ${before.p99.toFixed(2)} ms before; ${Math.round(after.rps)} req/s, p99 ${after.p99.toFixed(2)} ms after.`,
      '',
      '| window ends at | req/s | p50 ms | p99 ms | RSS MB at its end | notes |',
      '|---:|---:|---:|---:|---:|---|',
      ...windows.map(
        (w) =>
          `| ${w.at.toFixed(0)} s | ${Math.round(w.m.rps).toLocaleString('en-US')} | ${w.m.p50.toFixed(2)} | ${w.m.p99.toFixed(2)} | ${w.rss.toFixed(0)} | ${w.m.note ?? ''} |`,
      ),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(ROOT, RESULTS), md);
    log(`\nwrote ${RESULTS}`);
  }
} catch (err) {
  process.stderr.write(`soak FAILED: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
