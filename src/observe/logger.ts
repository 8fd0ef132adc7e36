// Structured JSON logs (pino). Secret values never reach a log line: the
// reconciler logs keys, kinds, names and redacted messages only, and these
// paths are censored as a second line of defence.
import { pino, type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { component: 'harbor-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.data', '*.stringData', '*.password', '*.token', 'values', 'secrets'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
