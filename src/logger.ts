import { pino } from 'pino';

export type Logger = pino.Logger;

export const createLogger = (level = process.env.LOG_LEVEL ?? 'info', name = 'jetledger'): Logger =>
  pino({ name, level, base: { pid: process.pid } });
