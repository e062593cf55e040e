import { pino } from 'pino';

export type Logger = pino.Logger;

/** `mixin`, with tracing on, adds the trace_id and span_id of the span a line is written in. */
export const createLogger = (level = process.env.LOG_LEVEL ?? 'info', name = 'jetledger', mixin?: () => object): Logger =>
  pino({ name, level, base: { pid: process.pid }, ...(mixin ? { mixin } : {}) });
