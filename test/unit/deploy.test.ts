/**
 * The deployment files (Dockerfile, .dockerignore, docker-compose.yml, deploy/**) checked against
 * the code they deploy: no Docker engine runs here, so what compose would only find out at
 * `docker compose up` (an unknown env variable, a role typo, a user missing in nats.conf, a scrape
 * target on no service) fails here instead. nats.conf also runs on a real nats-server when one is installed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_METRICS_PORT, loadConfig } from '../../src/config.js';
import { connectNats } from '../../src/infra/nats/connection.js';
import { freePort } from '../../src/infra/nats/embedded-server.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { createMetrics } from '../../src/metrics.js';
import { tracingEnabled } from '../../src/otel-config.js';
import { ALL_ROLES } from '../../src/roles.js';
import { dashboardMetrics, exposedMetrics, readDashboard } from '../support/dashboard.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// Values for the variables compose requires (${VAR:?...}); JWT_SECRET as long as the app demands.
const REQUIRED = { JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789', NATS_PASSWORD: 'test-nats-password-0123' };

// ---------- docker-compose.yml ----------

type Healthcheck = { test?: string[]; disable?: boolean };
type Service = {
  build?: unknown;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  profiles?: string[];
  expose?: Array<string | number>;
  ports?: Array<string | number>;
  volumes?: string[];
  deploy?: { replicas?: number };
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Compose's variable syntax: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (match, name?: string, op?: string, arg = '', bare?: string) => {
    if (match === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const value = env[name as string];
    const unset = value === undefined;
    const empty = unset || value === '';
    if ((op === ':?' && empty) || (op === '?' && unset)) throw new Error(`required variable ${name} is missing: ${arg}`);
    if ((op === ':-' && empty) || (op === '-' && unset)) return arg;
    return value ?? '';
  });
}

function deepInterpolate<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => deepInterpolate(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepInterpolate(v, env)])) as T;
  }
  return value;
}

/** As compose sees it: merge keys resolved, variables substituted. */
const loadCompose = (env: Record<string, string | undefined> = REQUIRED): Compose =>
  deepInterpolate(parse(read('docker-compose.yml'), { merge: true }) as Compose, env);

const envOf = (service: Service): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)]));

const commandOf = (service: Service): string[] =>
  Array.isArray(service.command) ? service.command : (service.command ?? '').split(/\s+/).filter(Boolean);

function rolesOf(service: Service): string[] {
  const command = commandOf(service);
  expect(command[0], 'app services run `start`').toBe('start');
  const i = command.indexOf('--roles');
  expect(i, 'app services name their roles').toBeGreaterThan(0);
  return (command[i + 1] ?? '').split(',');
}

const dependencies = (service: Service): Record<string, { condition: string }> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, { condition: 'service_started' }]))
    : (service.depends_on ?? {});

/** Container-side ports a service listens on, as declared by expose and ports. */
const declaredPorts = (service: Service): number[] => [
  ...(service.expose ?? []).map(Number),
  ...(service.ports ?? []).map((p) => Number(String(p).split(':').pop()?.split('/')[0])),
];

// ---------- Dockerfile ----------

type Stage = { name: string; from: string; lines: Array<{ keyword: string; args: string }> };

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = args.split('=');
      globalArgs[name] = value;
    } else if (upper === 'FROM') {
      const [image = '', , name = ''] = args.replace(/\$\{(\w+)\}/g, (_, n: string) => globalArgs[n] ?? '').split(/\s+/);
      stages.push({ name: name || String(stages.length), from: image, lines: [] });
    } else {
      stages.at(-1)?.lines.push({ keyword: upper, args });
    }
  }
  return stages;
}

const linesOf = (stage: Stage, keyword: string) => stage.lines.filter((l) => l.keyword === keyword).map((l) => l.args);

/** `ENV A=1 B=2` (the key=value form) as a record. */
const envLines = (stage: Stage): Record<string, string> =>
  Object.fromEntries(linesOf(stage, 'ENV').flatMap((args) => args.split(/\s+/).map((pair) => pair.split('=') as [string, string])));

const execForm = (args: string): string[] => JSON.parse(args) as string[];

/** The stage a `COPY --from=<stage>` in `stage` takes `source` from. */
function copiedFrom(stage: Stage, source: string, stages: Stage[]): Stage | undefined {
  const copy = linesOf(stage, 'COPY').find((args) => args.includes(`--from=`) && args.split(/\s+/).includes(source));
  const from = /--from=(\S+)/.exec(copy ?? '')?.[1];
  return stages.find((s) => s.name === from);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.split('**').map((part) => part.split('*').map((p) => p.split('?').map(escapeRegExp).join('[^/]')).join('[^/]*')).join('.*')}$`);

/** Docker's .dockerignore semantics for plain names and `*`: the last matching pattern wins, a parent's match counts. */
function inBuildContext(path: string, dockerignore: string): boolean {
  const patterns = dockerignore.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const parents = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const glob = globToRegExp((negated ? raw.slice(1) : raw).replace(/^\//, ''));
    if (parents.some((p) => glob.test(p))) excluded = !negated;
  }
  return !excluded;
}

// ---------- deploy/nats/nats.conf ----------

/** `{ user: name, password: secret }` entries; a password of `$VAR` is read from the server's environment. */
const natsUsers = (conf: string) =>
  [...conf.matchAll(/\{\s*user\s*:\s*"?([\w-]+)"?\s*,\s*password\s*:\s*"?(\$?[\w-]+)"?\s*\}/g)].map(([, user = '', password = '']) => ({ user, password }));

function natsCredentials(natsUrl: string) {
  const url = new URL(natsUrl);
  return { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password), servers: `nats://${url.host}` };
}

const compose = loadCompose();
const services = compose.services;
const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1) as Stage;
const imageEnv = envLines(runtime);
const appServices = Object.entries(services).filter(([, s]) => s.build !== undefined);
const configOf = (service: Service) => loadConfig({ ...imageEnv, ...envOf(service) });

describe('docker-compose.yml: the app services', () => {
  it('are the api, processor, projector and scheduler, all built from this Dockerfile', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'processor', 'projector', 'scheduler']);
    for (const [, service] of appServices) expect(service.build).toBe('.');
  });

  it('start valid roles, and together run every role', () => {
    const deployed = new Set<string>();
    for (const [name, service] of appServices) {
      for (const role of rolesOf(service)) {
        expect(ALL_ROLES, `${name} runs role ${role}`).toContain(role);
        deployed.add(role);
      }
    }
    expect([...deployed].sort()).toEqual([...ALL_ROLES].sort());
  });

  it('set only variables src/config.ts knows, with values it accepts on top of the image ENV', () => {
    for (const [name, service] of appServices) {
      const config = configOf(service) as Record<string, unknown>;
      // Unknown keys are dropped by the schema: a key missing from the result is a typo or a stale name.
      for (const key of Object.keys(envOf(service))) expect(Object.keys(config), `${name}: ${key}`).toContain(key);
    }
  });

  it('use the external NATS and MongoDB, never the embedded ones (the image has neither)', () => {
    const replicas = new Set<number>();
    for (const [name, service] of appServices) {
      const config = configOf(service);
      expect(config.NODE_ENV).toBe('production');
      expect(config.NATS_URL, name).toMatch(/^nats:\/\/[^@]+@nats:4222$/);
      replicas.add(config.NATS_REPLICAS);
      // The processor keeps its state in NATS; every other role reads or writes MongoDB (see main.ts).
      if (rolesOf(service).some((r) => r !== 'processor')) {
        const uri = new URL(config.MONGODB_URI ?? 'missing://');
        expect(`${uri.protocol}//${uri.host}`, name).toBe('mongodb://mongo:27017');
        expect(uri.searchParams.get('replicaSet'), name).toBe('rs0');
      }
    }
    // Each role updates the streams to its NATS_REPLICAS at start: they must agree, and R1 fits one server.
    expect([...replicas]).toEqual([1]);
    expect(read('deploy/nats/nats.conf')).not.toMatch(/^\s*cluster\s*\{/m);
  });

  it('give the api what production demands: a JWT secret, a reachable HOST, and its PORT published', () => {
    const api = services.api as Service;
    const config = configOf(api);
    expect(config.JWT_SECRET ?? config.JWT_JWKS_URL).toBeTruthy();
    expect(config.HOST).toBe('0.0.0.0');
    expect(declaredPorts(api)).toContain(config.PORT);
  });

  it('refuse to start without JWT_SECRET or NATS_PASSWORD', () => {
    expect(() => loadCompose({ NATS_PASSWORD: REQUIRED.NATS_PASSWORD })).toThrow(/JWT_SECRET/);
    expect(() => loadCompose({ JWT_SECRET: REQUIRED.JWT_SECRET })).toThrow(/NATS_PASSWORD/);
  });

  it('run two processors and two projectors, and turn off the HTTP healthcheck where no HTTP server runs', () => {
    expect(services.processor?.deploy?.replicas).toBe(2);
    expect(services.projector?.deploy?.replicas).toBe(2);
    for (const [name, service] of appServices) {
      const listens = rolesOf(service).includes('api');
      expect(service.healthcheck?.disable ?? false, name).toBe(!listens);
    }
  });
});

describe('docker-compose.yml: wiring', () => {
  it('depends only on services that exist, wait for health only where a healthcheck runs, and never on an optional profile from the default one', () => {
    const hasHealthcheck = (s: Service) =>
      !s.healthcheck?.disable && (s.healthcheck?.test !== undefined || (s.build !== undefined && linesOf(runtime, 'HEALTHCHECK').length > 0));
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
        const target = services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(hasHealthcheck(target as Service), `${dependency} has a healthcheck`).toBe(true);
        if (!service.profiles) expect(target?.profiles, `${name} (default profile) depends on ${dependency}`).toBeUndefined();
      }
    }
    for (const [name, service] of appServices) {
      const deps = dependencies(service);
      expect(deps.nats?.condition, name).toBe('service_healthy');
      if (envOf(service).MONGODB_URI) expect(deps.mongo?.condition, name).toBe('service_healthy');
    }
  });

  it('mounts files that exist in the repository and declares its named volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), `${name} mounts ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name} uses volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('has the observability profile: prometheus, grafana, jaeger', () => {
    const observability = Object.entries(services).filter(([, s]) => s.profiles?.includes('observability')).map(([n]) => n);
    expect(observability).toEqual(expect.arrayContaining(['prometheus', 'grafana', 'jaeger']));
  });
});

describe('NATS: nats.conf against compose', () => {
  const conf = read('deploy/nats/nats.conf');
  const nats = services.nats as Service;

  it('runs nats-server >= 2.12 with the mounted config and fsyncs every JetStream write', () => {
    expect(nats.image).toMatch(/^nats:2\.(1[2-9]|[2-9]\d)\b/);
    const [flag, path] = commandOf(nats);
    expect(flag).toBe('-c');
    expect(nats.volumes).toContain(`./deploy/nats/nats.conf:${path}:ro`);
    expect(conf).toMatch(/jetstream\s*\{[^}]*sync_interval:\s*always/);
  });

  it('knows the user and password every NATS_URL carries', () => {
    const users = natsUsers(conf);
    for (const [name, service] of appServices) {
      const { user, pass } = natsCredentials(envOf(service).NATS_URL ?? '');
      const entry = users.find((u) => u.user === user);
      expect(entry, `${name}: user ${user} in nats.conf`).toBeDefined();
      const password = entry?.password ?? '';
      // nats-server reads a `$VAR` password from its own environment, which compose sets.
      const actual = password.startsWith('$') ? envOf(nats)[password.slice(1)] : password;
      expect(actual, `${name}: password of ${user}`).toBe(pass);
    }
  });
});

describe('MongoDB: replica set', () => {
  const mongo = services.mongo as Service;
  const init = read('deploy/mongo/init-replica-set.js');

  it('starts mongod as the replica set the app names, initiated with the host the app connects to', () => {
    const command = commandOf(mongo);
    const replSet = command[command.indexOf('--replSet') + 1];
    expect(replSet).toBe('rs0');
    expect(init).toContain(`const REPLICA_SET = '${replSet}';`);
    const uri = new URL(envOf(services.api as Service).MONGODB_URI ?? '');
    expect(init).toContain(`const MEMBER_HOST = '${uri.host}';`);
  });

  it('runs the mounted init script as its healthcheck', () => {
    const script = mongo.healthcheck?.test?.at(-1) ?? '';
    expect(mongo.healthcheck?.test?.slice(0, 2)).toEqual(['CMD', 'mongosh']);
    expect(mongo.volumes).toContain(`./deploy/mongo/init-replica-set.js:${script}:ro`);
  });
});

describe('observability: every target is a service listening on that port', () => {
  const prometheusConfig = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: Array<{
      job_name: string;
      metrics_path?: string;
      static_configs?: Array<{ targets: string[] }>;
      dns_sd_configs?: Array<{ names: string[]; port: number }>;
    }>;
  };
  /** Where an app service serves /metrics: the api on PORT, any other role on METRICS_PORT (see main.ts). */
  const metricsPort = (service: Service): number => {
    const config = configOf(service);
    return rolesOf(service).includes('api') ? config.PORT : (config.METRICS_PORT ?? DEFAULT_METRICS_PORT);
  };
  const listening = (host: string, port: number, self: string) => {
    const name = host === 'localhost' ? self : host;
    const service = services[name];
    expect(service, `${host}:${port} is a service`).toBeDefined();
    const ports = service?.build !== undefined ? [metricsPort(service)] : declaredPorts(service as Service);
    expect(ports, `${name} listens on ${port}`).toContain(port);
  };
  const targets = prometheusConfig.scrape_configs.flatMap((job) => [
    ...(job.static_configs ?? []).flatMap((c) => c.targets.map((t) => ({ job, target: t }))),
    ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => ({ job, target: `${n}:${c.port}` }))),
  ]);

  it('prometheus scrapes api:4000/metrics (the path src/infra/http/server.ts serves) and other real targets', () => {
    for (const { target } of targets) {
      const [host = '', port = ''] = target.split(':');
      listening(host, Number(port), 'prometheus');
    }
    const api = targets.find((t) => t.target === 'api:4000');
    expect(api, 'api:4000 is scraped').toBeDefined();
    expect(api?.job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(read('src/infra/http/server.ts')).toContain(`path === '/metrics'`);
  });

  it('prometheus scrapes every role: the api on PORT, the others on the METRICS_PORT they set and expose', () => {
    for (const [name, service] of appServices) {
      const port = metricsPort(service);
      const scraped = targets.find((t) => t.target === `${name}:${port}`);
      expect(scraped, `${name}:${port} is scraped`).toBeDefined();
      expect(scraped?.job.metrics_path ?? '/metrics').toBe('/metrics');
      if (rolesOf(service).includes('api')) continue;
      // Set, not left to the default: unset, a taken port moves elsewhere and the scrape would miss it.
      expect(configOf(service).METRICS_PORT, `${name} sets METRICS_PORT`).toBe(port);
      expect(declaredPorts(service), `${name} exposes ${port}`).toContain(port);
      expect(configOf(service).HOST, `${name} listens beyond its own container`).toBe('0.0.0.0');
    }
  });

  it('prometheus loads the mounted config; grafana datasources point at services', () => {
    const prometheus = services.prometheus as Service;
    const configFlag = commandOf(prometheus).find((a) => a.startsWith('--config.file='))?.split('=')[1];
    expect(prometheus.volumes).toContain(`./deploy/prometheus/prometheus.yml:${configFlag}:ro`);
    const grafana = parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: Array<{ url: string }> };
    expect(grafana.datasources.length).toBeGreaterThan(0);
    for (const { url } of grafana.datasources) {
      const { hostname, port } = new URL(url);
      listening(hostname, Number(port), 'grafana');
    }
  });
});

describe('observability: traces reach Jaeger', () => {
  const jaeger = services.jaeger as Service;

  it('every app service traces to the jaeger service, on the OTLP port its protocol speaks, under a name of its own', () => {
    expect(jaeger.profiles).toContain('observability');
    const names = new Set<string>();
    for (const [name, service] of appServices) {
      const config = configOf(service);
      expect(tracingEnabled(config), `${name} traces`).toBe(true);
      const endpoint = new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'missing://');
      expect(endpoint.hostname, name).toBe('jaeger');
      const port = config.OTEL_EXPORTER_OTLP_PROTOCOL === 'grpc' ? 4317 : 4318;
      expect(Number(endpoint.port), `${name}: OTLP ${config.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf'}`).toBe(port);
      expect(declaredPorts(jaeger), `jaeger receives on ${port}`).toContain(port);
      expect(config.OTEL_SERVICE_NAME, name).toBe(`jetledger-${name}`);
      names.add(config.OTEL_SERVICE_NAME ?? '');
    }
    expect(names.size).toBe(appServices.length);
    expect(envOf(jaeger).JAEGER_LISTEN_HOST).toBe('0.0.0.0');
  });

  it('turns tracing off for every app service with OTEL_EXPORTER_OTLP_ENDPOINT= (no observability profile)', () => {
    const off = loadCompose({ ...REQUIRED, OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    for (const [name, service] of Object.entries(off.services).filter(([, s]) => s.build !== undefined)) {
      expect(tracingEnabled(loadConfig({ ...imageEnv, ...envOf(service) })), name).toBe(false);
    }
  });
});

describe('observability: the Grafana dashboard', () => {
  const grafana = services.grafana as Service;
  const dashboard = readDashboard();

  it('is provisioned from the mounted deploy/grafana/dashboards folder', () => {
    const providers = parse(read('deploy/grafana/provisioning/dashboards/dashboards.yml')) as { providers: Array<{ type: string; options: { path: string } }> };
    const mounted = (grafana.volumes ?? []).find((v) => v.startsWith('./deploy/grafana/dashboards:'))?.split(':')[1];
    expect(mounted).toBeDefined();
    expect(providers.providers.map((p) => [p.type, p.options.path])).toEqual([['file', mounted]]);
    expect(grafana.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('is valid JSON whose panels query provisioned datasources, covering what operators watch', () => {
    const datasources = (parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: Array<{ uid: string; type: string }> }).datasources;
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const ds of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
        expect(datasources.map((d) => `${d.type}:${d.uid}`), panel.title).toContain(`${ds?.type}:${ds?.uid}`);
      }
    }
    const used = dashboardMetrics(dashboard);
    for (const metric of ['jetledger_command_duration_seconds_count', 'jetledger_command_duration_seconds_bucket', 'jetledger_projection_lag_events', 'jetledger_dlq_messages', 'jetledger_graphql_subscriptions_active']) {
      expect(used).toContain(metric);
    }
  });

  it('asks only for metrics that JetLedger defines (test/e2e/metrics.e2e.test.ts reads them from the running roles)', async () => {
    const defined = exposedMetrics((await createMetrics().render()).body);
    for (const metric of dashboardMetrics(dashboard)) expect(defined, metric).toContain(metric);
  });
});

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in stages and runs dist/cli.js as a non-root user', () => {
    for (const stage of stages) {
      const base = stages.some((s) => s.name === stage.from) ? 'a stage' : stage.from;
      expect(['a stage', 'node:20-bookworm-slim']).toContain(base);
    }
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(execForm(linesOf(runtime, 'ENTRYPOINT')[0] ?? '[]')).toEqual(['node', 'dist/cli.js']);
    expect(execForm(linesOf(runtime, 'CMD')[0] ?? '[]')).toEqual(['start']);
    const user = linesOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(imageEnv.NODE_ENV).toBe('production');
    expect(linesOf(runtime, 'EXPOSE').join(' ').split(/\s+/)).toContain(String(configOf(services.api as Service).PORT));
  });

  it('sets only environment variables src/config.ts knows (and Node\'s own)', () => {
    const config = loadConfig(imageEnv) as Record<string, unknown>;
    for (const key of Object.keys(imageEnv).filter((k) => k !== 'NODE_OPTIONS')) expect(Object.keys(config)).toContain(key);
  });

  it('ships dist/ from the build (tsconfig.build.json: src → dist) and production-only node_modules', () => {
    const build = copiedFrom(runtime, '/app/dist', stages);
    expect(build, 'dist comes from a build stage').toBeDefined();
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(linesOf(build as Stage, 'RUN')).toContain('npm run build');
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    const tsconfig = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: Record<string, unknown>; include: string[] };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist', noEmit: false });
    expect(tsconfig.include).toEqual(['src']);
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
    expect(pkg.bin.jetledger).toBe('dist/cli.js');
    // ESM output needs "type": "module" beside it.
    expect(linesOf(runtime, 'COPY')).toContain('package.json ./');

    const deps = copiedFrom(runtime, '/app/node_modules', stages);
    expect(linesOf(deps as Stage, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
  });

  it('copies only files the .dockerignore lets into the build context', () => {
    const dockerignore = read('.dockerignore');
    const sources = stages.flatMap((stage) =>
      linesOf(stage, 'COPY')
        .filter((args) => !args.includes('--from='))
        .flatMap((args) => args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1)),
    );
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json', 'src']));
    for (const source of [...sources, 'src/cli.ts', 'src/infra/nats/connection.ts']) {
      expect(inBuildContext(source, dockerignore), source).toBe(true);
      expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    for (const local of ['node_modules', 'dist', '.data', '.env', '.git', 'test']) expect(inBuildContext(local, dockerignore), local).toBe(false);
  });

  it('HEALTHCHECK answers 0 for a 200 on /healthz and 1 otherwise', async () => {
    const healthcheck = linesOf(runtime, 'HEALTHCHECK')[0] ?? '';
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim());
    let status = 200;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        const [bin = '', ...args] = command;
        spawn(bin === 'node' ? process.execPath : bin, args, { env: { ...process.env, ...env }, stdio: 'ignore' }).once('exit', resolve);
      });
    try {
      expect(await run({ PORT: String(port) })).toBe(0);
      expect(seen).toEqual(['/healthz']);
      status = 503;
      expect(await run({ PORT: String(port) })).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await run({ PORT: String(port) }), 'nothing listening').toBe(1);
  });
});

const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

// The docker CLI here has no compose plugin; where it has one, compose itself validates the file.
describe.skipIf(!composeCli)('docker compose config', () => {
  it('accepts the file with and without the observability profile', () => {
    for (const args of [[], ['--profile', 'observability']]) {
      const result = spawnSync('docker', ['compose', ...args, 'config', '--quiet'], { cwd: ROOT, env: { ...process.env, ...REQUIRED }, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

// ---------- nats.conf on a real nats-server ----------

const natsBinary = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server'].find(existsSync);

describe.skipIf(!natsBinary)('deploy/nats/nats.conf on a real nats-server', () => {
  const natsUrl = envOf(services.processor as Service).NATS_URL ?? '';
  const password = envOf(services.nats as Service).NATS_PASSWORD ?? '';
  let dir = '';
  let server: ChildProcess | undefined;
  let local = '';
  let monitor = '';

  /** The deployed config with local ports and store; sync_interval only where the server knows it (2.12+). */
  async function localConfig(): Promise<string> {
    const version = /v(\d+)\.(\d+)/.exec(spawnSync(natsBinary as string, ['--version'], { encoding: 'utf8' }).stdout) ?? [];
    const knowsSyncInterval = Number(version[1]) > 2 || Number(version[2]) >= 12;
    const [port, monitorPort] = [await freePort(), await freePort()];
    local = `nats://127.0.0.1:${port}`;
    monitor = `http://127.0.0.1:${monitorPort}`;
    const conf = read('deploy/nats/nats.conf')
      .replace(/^listen:.*$/m, `listen: 127.0.0.1:${port}`)
      .replace(/^http:.*$/m, `http: 127.0.0.1:${monitorPort}`)
      .replace(/store_dir:.*$/m, `store_dir: "${join(dir, 'store')}"`)
      .replace(/^\s*sync_interval:.*$/m, (line) => (knowsSyncInterval ? line : ''));
    const path = join(dir, 'nats.conf');
    writeFileSync(path, conf);
    return path;
  }

  const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jetledger-deploy-nats-'));
    const conf = await localConfig();
    server = spawn(natsBinary as string, ['-c', conf], { env: { ...process.env, NATS_PASSWORD: password }, stdio: 'ignore' });
    // Ready by its own word, so that a refused login below fails its test rather than this wait.
    await waitFor(async () => (await fetch(`${monitor}/healthz`)).ok, { message: 'nats-server with deploy/nats.conf' });
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = exitOf(server);
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the app user in with JetStream, enough for the streams the app creates', async () => {
    const { user, pass } = natsCredentials(natsUrl);
    const nc: NatsConnection = await connect({ servers: local, user, pass, reconnect: false });
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStreams(nc, jsm, { replicas: configOf(services.processor as Service).NATS_REPLICAS });
      expect((await jsm.getAccountInfo()).streams).toBeGreaterThanOrEqual(3);
    } finally {
      await nc.close();
    }
  });

  it('turns away anonymous clients and a wrong password', async () => {
    await expect(connect({ servers: local, reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    const { user } = natsCredentials(natsUrl);
    await expect(connect({ servers: local, user, pass: 'wrong', reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('accepts the app connecting with NATS_URL exactly as compose writes it (credentials in the URL)', async () => {
    const nats = await connectNats(natsUrl.replace(/@nats:4222$/, `@${new URL(local).host}`), 'deploy-test');
    try {
      expect((await nats.jsm.getAccountInfo()).streams).toBeGreaterThanOrEqual(0);
    } finally {
      await nats.nc.close();
    }
  });

  it('refuses to start without NATS_PASSWORD in its environment', async () => {
    const { NATS_PASSWORD: _, ...withoutPassword } = process.env;
    const child = spawn(natsBinary as string, ['-c', join(dir, 'nats.conf')], { env: withoutPassword, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitOf(child)).not.toBe(0);
    expect(stderr).toMatch(/NATS_PASSWORD/);
  });
});
