#!/usr/bin/env node
/**
 * `jetledger start [--roles a,b]` · `jetledger token --sub <id> [--admin] [--ttl 1h]` ·
 * `jetledger verify [--at-rest]` · `jetledger rebuild` · `jetledger dlq list|replay` · `jetledger status [--json]` ·
 * `jetledger wallet <id> --at <instant> | --version <n>`
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DLQ_HELP, dlqCommand } from './commands/dlq.js';
import { REBUILD_HELP, rebuildCommand } from './commands/rebuild.js';
import { STATUS_HELP, statusCommand } from './commands/status.js';
import { VERIFY_HELP, verifyCommand } from './commands/verify.js';
import { WALLET_HELP, walletCommand } from './commands/wallet.js';
import { ConfigError, loadConfig } from './config.js';
import { developmentSecret } from './infra/auth/dev-secret.js';
import { signToken } from './infra/auth/jwt.js';
import { createLogger } from './logger.js';
import { startJetLedger } from './main.js';
import { ALL_ROLES, type Role } from './roles.js';

const USAGE = `usage:
  jetledger start [--roles api,processor,projector,scheduler]
  jetledger token --sub <user id> [--admin] [--ttl 1h]
  jetledger verify [--at-rest]   ${VERIFY_HELP}
  jetledger rebuild              ${REBUILD_HELP}
  jetledger dlq list|replay <seq>|replay --all   ${DLQ_HELP}
  jetledger status [--json]      ${STATUS_HELP}
  jetledger wallet <id> --at <instant> | --version <n>   ${WALLET_HELP}
verify, rebuild and status need NATS_URL and MONGODB_URI (and MONGODB_DB) of the deployment; dlq and wallet need NATS_URL.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'token':
      return token(rest);
    case 'verify':
      return verifyCommand(rest);
    case 'rebuild':
      return rebuildCommand();
    case 'dlq':
      return dlqCommand(rest);
    case 'status':
      return statusCommand(rest);
    case 'wallet':
      return walletCommand(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}

function parseRoles(text: string | undefined): Role[] {
  if (!text) return [...ALL_ROLES];
  const roles = text.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) throw new ConfigError(`unknown role(s): ${unknown.join(', ') || '(none)'}; choose from ${ALL_ROLES.join(', ')}`);
  return roles as Role[];
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { roles: { type: 'string' } } });
  const config = loadConfig();
  const roles = parseRoles(values.roles);
  const log = createLogger(config.LOG_LEVEL);
  const ledger = await startJetLedger({ config, roles, log });
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
    ledger.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return new Promise<number>(() => undefined);
}

async function token(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { sub: { type: 'string' }, admin: { type: 'boolean', default: false }, ttl: { type: 'string', default: '1h' } } });
  if (!values.sub) throw new ConfigError('--sub <user id> is required');
  const config = loadConfig();
  if (config.JWT_JWKS_URL) throw new ConfigError('JWT_JWKS_URL is set: tokens come from your identity provider, not from jetledger');
  const secret = config.JWT_SECRET ?? developmentSecret(resolve(config.DATA_DIR));
  console.log(await signToken({ secret, sub: values.sub, admin: values.admin ?? false, ttl: values.ttl ?? '1h' }));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
