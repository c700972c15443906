import { ConfigError, loadConfig } from './config/env.js';
import { loadEnvFile } from './config/env-file.js';
import { openDatabase } from './db/database.js';
import type { EmbeddedDatabaseFailedError } from './db/embedded-health.js';
import { createLogger } from './log/logger.js';
import { type RunningServer, startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    loadEnvFile(); // .env (or ENV_FILE) fills what the environment leaves unset
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: RunningServer | null = null;
  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    (running?.shutdown() ?? Promise.resolve()).then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  // PGlite cannot run another statement: stop serving, answer what is in flight, and exit
  // non-zero so a supervisor restarts us (PostgreSQL recovers committed data at start).
  const onUnrecoverable = (error: EmbeddedDatabaseFailedError) => {
    logger.error('embedded database failed', { error: error.message });
    process.stderr.write(`Notarium: ${error.message} Exiting.\n`);
    // A failure while starting rejects the start itself; main's catch reports it.
    if (running !== null) stop(1);
  };
  // Handlers first: a signal that arrives while starting (a supervisor stopping us early, or
  // right after `listening` is logged) must still end in a clean shutdown, not the default kill.
  let stopRequested = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      logger.info('signal received', { signal });
      if (running === null) stopRequested = true;
      else stop(0);
    });
  // Loaded only when an OTLP endpoint is configured: no tracing costs nothing.
  const tracing = config.tracing
    ? (await import('./tracing/tracing.js')).startTracing(config.tracing)
    : undefined;
  // The pool has already replaced the connection; the log says why a request may have waited.
  const onIdleConnectionError = (error: Error) =>
    logger.warn('database connection lost while idle', { error: error.message });
  const database = await openDatabase(config.database, { onUnrecoverable, onIdleConnectionError });
  running = await startServer(config, logger, { database, tracing });
  if (stopRequested) stop(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Notarium failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
