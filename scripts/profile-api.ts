/**
 * `npx tsx scripts/profile-api.ts [--seconds 10] [--clients 50] [--consistency QUEUED]`: where an
 * api process spends its CPU on mutations. A private nats-server and MongoDB, a processor and
 * projector process, and an api process under `node --cpu-prof`; closed-loop clients send single
 * deposits; then the profile is read back: CPU ms per mutation, and self time by package and by
 * function. Loopback only; the profile file stays for Chrome DevTools (its path is printed).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signToken } from '../src/infra/auth/jwt.js';
import { startEmbeddedMongo } from '../src/infra/mongo/embedded-mongo.js';
import { startNatsServer } from '../src/infra/nats/embedded-server.js';
import { graphqlHttp } from './bench/graphql-http.js';
import { type Consistency, createWallet, deposit, inBatches } from './bench/ledger-ops.js';
import { cpuSeconds } from './bench/procfs.js';
import { startRole } from './bench/roles.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, clients: { type: 'string', default: '50' }, consistency: { type: 'string', default: 'QUEUED' } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const consistency = values.consistency as Consistency;

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const packageOf = (url: string): string => {
  if (!url) return '(native / idle / gc)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  if (url.includes('/src/')) return `jetledger ${url.slice(url.indexOf('/src/') + 1).split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return 'node core';
  return url;
};

/** Self time per node (microseconds) of the samples taken in the profile's last `windowUs` before `tailUs` from its end. */
function selfTimes(profile: Profile, windowUs: number, tailUs: number): Map<number, number> {
  const self = new Map<number, number>();
  let t = profile.startTime;
  const to = profile.endTime - tailUs;
  const from = to - windowUs;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t >= from && t <= to) self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}

function report(profile: Profile, mutations: number, windowUs: number, tailUs: number): string[] {
  const self = selfTimes(profile, windowUs, tailUs);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byNode.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/')}:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000 / mutations).toFixed(3)} ms/mutation  ${k}`);
  return [
    `profiled CPU (not idle): ${(busy / 1e6).toFixed(2)} s over ${mutations} mutations = ${(busy / 1000 / mutations).toFixed(3)} ms per mutation`,
    'self time by package:',
    ...top(byPackage, 15),
    'self time by function:',
    ...top(byFunction, 30),
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'jetledger-profile-'));
const profDir = join(dir, 'profiles');
const nats = await startNatsServer({ storeDir: join(dir, 'nats'), port: 0 });
const mongo = await startEmbeddedMongo({ dataDir: join(dir, 'mongo') });
const secret = randomBytes(32).toString('hex');
const env = (role: string) => ({
  NATS_URL: nats.url,
  MONGODB_URI: mongo.uri,
  MONGODB_DB: 'profile',
  JWT_SECRET: secret,
  PORT: '0',
  DATA_DIR: join(dir, role),
  LOG_LEVEL: 'info',
  NODE_ENV: 'production',
  MUTATION_RATE_LIMIT: '0',
});
const workers = await startRole('processor,projector', REPO, env('workers'));
const api = await startRole('api', REPO, env('api'), ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
try {
  const client = graphqlHttp(api.url as string, await signToken({ secret, sub: 'profile', admin: false, ttl: '1h' }));
  const wallets = await inBatches(Array.from({ length: clients }, (_, i) => i), 10, (i) => createWallet(client, `p${i}`));
  // Warm-up: JIT, caches, connections.
  await Promise.all(wallets.map(async (w) => { for (let i = 0; i < 20; i++) await deposit(client, w, consistency); }));
  const cpuBefore = cpuSeconds(api.pid) ?? 0;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(wallets.map(async (w) => { while (performance.now() < deadline) { await deposit(client, w, consistency); done++; } }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (cpuSeconds(api.pid) ?? 0) - cpuBefore;
  const measuredAt = performance.now();
  client.close();
  console.log(`${done} ${consistency} deposits from ${clients} clients in ${elapsed.toFixed(1)} s: ${Math.round(done / elapsed)}/s; api CPU ${((cpu * 1000) / done).toFixed(3)} ms per mutation (from /proc)`);
  await api.stop();
  const stoppedAt = performance.now();
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the api wrote no CPU profile');
  // Only the measured stretch: the profile also holds start-up (module loading) and the warm-up.
  const tailUs = (stoppedAt - measuredAt) * 1000;
  console.log(report(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile, done, elapsed * 1e6, tailUs).join('\n'));
  console.log(`profile: ${join(profDir, file)} (open in Chrome DevTools > Performance)`);
} finally {
  await api.stop();
  await workers.stop();
  await mongo.stop();
  await nats.stop();
}
process.exit(0);
