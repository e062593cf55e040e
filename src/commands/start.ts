/**
 * `jetledger start [--roles a,b]`. Tracing starts first, when OTEL_* variables ask for it: its
 * instrumentations patch node:http and the MongoDB driver as they load, so JetLedger itself is
 * imported only afterwards. Off, no OpenTelemetry module is ever loaded.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { startTelemetry } from '../infra/telemetry/start.js';
import { createLogger } from '../logger.js';
import { ALL_ROLES, type Role } from '../role-names.js';

function parseRoles(text: string | undefined): Role[] {
  if (!text) return [...ALL_ROLES];
  const roles = text.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) throw new ConfigError(`unknown role(s): ${unknown.join(', ') || '(none)'}; choose from ${ALL_ROLES.join(', ')}`);
  return roles as Role[];
}

/** service.name when OTEL_SERVICE_NAME gives none: `jetledger` for every role, else the roles it runs. */
const serviceName = (roles: readonly Role[]): string => (roles.length === ALL_ROLES.length ? 'jetledger' : `jetledger-${roles.join('-')}`);

export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { roles: { type: 'string' } } });
  const config = loadConfig();
  const roles = parseRoles(values.roles);
  const telemetry = await startTelemetry(config, serviceName(roles));
  const log = createLogger(config.LOG_LEVEL, 'jetledger', telemetry?.logMixin);
  const { startJetLedger } = await import('../main.js');
  const ledger = await startJetLedger({ config, roles, log, telemetry });
  if (ledger.url) {
    const lines = [`JetLedger is up: ${ledger.graphiql ? 'GraphiQL' : 'GraphQL'} at ${ledger.url}`];
    if (ledger.demoToken) lines.push(`Demo token (user "demo"; GraphiQL already sends it):`, `  Authorization: Bearer ${ledger.demoToken}`);
    console.log(`\n${lines.join('\n')}\n`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Spans of the last moments are still buffered: they leave after everything else has stopped.
    ledger
      .stop()
      .then(() => telemetry?.shutdown())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return new Promise<number>(() => undefined);
}
