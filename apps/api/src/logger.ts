import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { secretValues } from './config';
import { redactDeep } from './redact';

let secrets: string[] | undefined;

/**
 * A logged error (or anything else) with URL passwords and the configured secrets masked in every
 * string of it: a driver's message or a URL error's `input` may quote DATABASE_URL whole.
 */
export const redactLogged = <T>(value: T): T => redactDeep(value, (secrets ??= secretValues())) as T;

// Standard output, written in batches rather than one write(2) per line: on the busiest route the
// log line is a good part of the work. Lines wait at most this long, and what is left is written
// when the process exits. Written synchronously, as pino does by default: an asynchronous write
// goes through libuv's thread pool, 42 µs of CPU per 4 KB batch here against 2.7 µs for
// writeSync (sonic-boom's share of GET /api/me: 6 µs against 2, by the bench's profile). A
// reader that stops reading stdout then slows the process down rather than filling its memory.
const flushEveryMs = 250;
const batchBytes = 4096;

function stdoutInBatches(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: true, minLength: batchBytes, periodicFlush: flushEveryMs });
  // pino flushes at exit only the destinations it writes asynchronously.
  process.on('exit', () => {
    stream.flushSync();
  });
  return stream;
}

export function createLogger(level: string, destination: DestinationStream = stdoutInBatches()): Logger {
  return pino(
    {
      level,
      serializers: { err: (err: Error) => redactLogged(stdSerializers.err(err)) },
      // Belt and braces: these never reach a log line even if someone logs a whole request or a
      // body. (No wildcard paths: one costs every line of the request log a walk of its object.)
      redact: {
        paths: [
          'password',
          'req.headers.cookie',
          'req.headers.authorization',
          'req.headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
          'accessToken',
          'csrfToken',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
