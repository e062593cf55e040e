#!/usr/bin/env node
/**
 * `jetledger start [--roles a,b]` · `jetledger token --sub <id> [--admin] [--ttl 1h]` ·
 * `jetledger verify [--at-rest]` · `jetledger rebuild` · `jetledger dlq list|replay` · `jetledger status [--json]` ·
 * `jetledger wallet <id> --at <instant> | --version <n>`
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCommand } from './commands/start.js';
import { ConfigError, loadConfig } from './config.js';
import { developmentSecret } from './infra/auth/dev-secret.js';
import { signToken } from './infra/auth/jwt.js';

// The operator commands are imported when asked for: `start` must load its tracing before
// anything loads node:http or the MongoDB driver (see commands/start.ts).
const USAGE = `usage:
  jetledger start [--roles api,processor,projector,scheduler]
  jetledger token --sub <user id> [--admin] [--ttl 1h]
  jetledger verify [--at-rest]   check the invariants of the journal and that replaying it yields the read models; exit 1 on drift (--at-rest: also nothing in flight, nothing unprojected)
  jetledger rebuild              rebuild the MongoDB read models from the journal (stop the projectors first; they resume afterwards)
  jetledger dlq list|replay <seq>|replay --all   list dead letters, or replay them (by DLQ sequence, or --all) once their cause is fixed
  jetledger status [--json]      projection shards: lease owner, epoch, checkpoint, last journal event and lag (--json for scripts)
  jetledger wallet <id> --at <instant> | --version <n>   the wallet as it stood at an instant or after a version, replayed from the journal, as JSON (null and exit 1 if it did not exist then)
verify, rebuild and status need NATS_URL and MONGODB_URI (and MONGODB_DB) of the deployment; dlq and wallet need NATS_URL.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand(rest);
    case 'token':
      return token(rest);
    case 'verify':
      return (await import('./commands/verify.js')).verifyCommand(rest);
    case 'rebuild':
      return (await import('./commands/rebuild.js')).rebuildCommand();
    case 'dlq':
      return (await import('./commands/dlq.js')).dlqCommand(rest);
    case 'status':
      return (await import('./commands/status.js')).statusCommand(rest);
    case 'wallet':
      return (await import('./commands/wallet.js')).walletCommand(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
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
