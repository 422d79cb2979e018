// `npm run profile`: CPU profiles of the token endpoint's ceiling (Fastify + one ES256 signature) and
// of Latchkey's personal-client client_credentials, under the same load, side by side. Each server
// runs with `--cpu-prof` and the node flags of `npm start`; the profiles' self time is summed per
// function and per area (Latchkey's own code, each library, Node's internals, GC) and the top entries
// are printed as a Markdown table (docs/scaling.md quotes one).
//   PROFILE_SECONDS (default 15), PROFILE_CONNECTIONS (default 50), PROFILE_TOP (default 25).
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

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 50);
const TOP = Number(process.env.PROFILE_TOP ?? 25);
const NODE_ARGS = process.env.PROFILE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? START_NODE_ARGS;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-profile-'));
installCleanup(SECONDS * 4 + 180, () => fs.rmSync(dir, { recursive: true, force: true }));

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Times {
  /** CPU time sampled in the measured window (µs), idle excluded. */
  total: number;
  byFunction: Map<string, number>;
  byArea: Map<string, number>;
  /** Time with a Latchkey function on the stack (its callees included), per function. */
  inclusive: Map<string, number>;
}

/**
 * Self time (µs) per function and per area over the last `seconds` of one .cpuprofile: the measured
 * load ends right before the server is stopped, so start-up and set-up fall outside the window.
 */
function times(file: string, seconds: number): Times {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${location(f)}`.trim();
  const t: Times = { total: 0, byFunction: new Map(), byArea: new Map(), inclusive: new Map() };
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  const from = profile.endTime - seconds * 1e6;
  let at = profile.endTime - profile.timeDeltas.reduce((a, b) => a + b, 0);
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    const f = frames.get(id)!;
    if (at < from || f.functionName === '(idle)') return;
    t.total += us;
    add(t.byFunction, name(f), us);
    add(t.byArea, area(f), us);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const g = frames.get(n)!;
      if (area(g) === 'latchkey' && !seen.has(name(g))) seen.add(name(g));
    }
    for (const k of seen) add(t.inclusive, k, us);
  });
  return t;
}

function location(f: CallFrame): string {
  if (!f.url) return '';
  const url = f.url.replace(/^file:\/\//, '');
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  const short = m ? `${m[1]}/${path.basename(m[2])}` : url.startsWith(ROOT) ? path.relative(ROOT, url) : url;
  return `${short}:${f.lineNumber + 1}`;
}

function area(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url);
  if (m) return m[1];
  if (f.url.startsWith('node:')) return 'node internals';
  if (f.url.includes('packages/server/')) return 'latchkey';
  if (f.url.includes('/bench/')) return 'bench server';
  return f.url;
}

async function profiled(
  name: string,
  script: string,
  env: Record<string, string>,
  load: (origin: string) => Promise<LoadRequest>,
): Promise<{ m: Measurement; file: string }> {
  const out = path.join(dir, name);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = startNode(
    name,
    script,
    { ...env, PORT: String(port) },
    [],
    [...NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${out}`],
  );
  await waitForHttp(origin + '/', proc);
  const request = await load(origin);
  const m = await measure({ name, origin, request, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2 });
  await proc.stop();
  const file = fs.readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${name}: no CPU profile written in ${out}`);
  return { m, file: path.join(out, file) };
}

const pct = (us: number, total: number) => ((100 * us) / total).toFixed(1) + ' %';

function table(title: string, rows: [string, number][], total: number, requests: number): string {
  const lines = [`| ${title} | self % | µs / request |`, '|---|---:|---:|'];
  for (const [k, us] of rows)
    lines.push(`| ${k.replace(/\|/g, '\\|')} | ${pct(us, total)} | ${(us / requests).toFixed(1)} |`);
  return lines.join('\n');
}

try {
  process.stdout.write(
    `profiling with ${CONNECTIONS} connections, ${SECONDS} s each, node ${NODE_ARGS.join(' ') || '(V8 defaults)'}\n`,
  );
  const ceiling = await profiled('ceiling', 'bench/ceiling-server.ts', {}, async () => ({
    method: 'POST',
    path: '/token',
    headers: { 'content-type': FORM },
    body: form({ grant_type: 'client_credentials', scope: 'myservices' }),
  }));
  const built = path.join(ROOT, 'packages/server/dist/main.js');
  if (!fs.existsSync(built)) throw new Error('build the server first: npm run build');
  let latchkey: { m: Measurement; file: string } | undefined;
  {
    const out = path.join(dir, 'latchkey');
    const lk = await startLatchkey('latchkey', {
      dataDir: path.join(dir, 'data'),
      script: 'packages/server/dist/main.js',
      nodeArgs: [...NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${out}`],
    });
    const admin = await adminHeaders(lk);
    const client = await createPersonalClient(lk, admin, 'profile');
    const request: LoadRequest = { method: 'POST', path: TOKEN_PATH, headers: client.headers, body: PERSONAL_CC_BODY };
    const m = await measure({
      name: 'latchkey',
      origin: lk.origin,
      request,
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: 2,
    });
    await lk.proc.stop();
    const file = fs.readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`latchkey: no CPU profile written in ${out}`);
    latchkey = { m, file: path.join(out, file) };
  }
  const measured = [
    ['Fastify + one ES256 signature', ceiling],
    ['Latchkey client_credentials (personal client)', latchkey],
  ] as const;
  const perRequest: Map<string, number>[] = [];
  for (const [name, r] of measured) {
    const s = times(r.file, SECONDS);
    const requests = r.m.rps * SECONDS;
    process.stdout.write(
      `\n### ${name}: ${Math.round(r.m.rps)} req/s, p50 ${r.m.p50.toFixed(2)} ms, p99 ${r.m.p99.toFixed(2)} ms; ` +
        `busy ${pct(s.total, SECONDS * 1e6)} of the ${SECONDS} s measured, ${(s.total / requests).toFixed(1)} µs per request\n\n`,
    );
    const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
    process.stdout.write(table('area', top(s.byArea, 12), s.total, requests) + '\n\n');
    process.stdout.write(table('function (self time)', top(s.byFunction, TOP), s.total, requests) + '\n');
    if (s.inclusive.size > 0)
      process.stdout.write(
        '\n' + table('Latchkey function (with its callees)', top(s.inclusive, 15), s.total, requests) + '\n',
      );
    // The ceiling runs Latchkey's signAccessToken from source, the server from dist: one name for both.
    perRequest.push(new Map([...s.byFunction].map(([k, us]) => [k.replace(/\.(ts|js):\d+$/, ''), us / requests])));
  }
  // Where the personal client's extra CPU per request goes, function by function.
  const [c, l] = perRequest;
  const diff = [...new Set([...c.keys(), ...l.keys()])]
    .map((k) => [k, (l.get(k) ?? 0) - (c.get(k) ?? 0)] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP);
  process.stdout.write('\n| function: Latchkey − ceiling | µs / request |\n|---|---:|\n');
  for (const [k, us] of diff) process.stdout.write(`| ${k.replace(/\|/g, '\\|')} | ${us.toFixed(1)} |\n`);
} finally {
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
}
