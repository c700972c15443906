import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine };

type Glue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
type Datamodels = [path: string, content: string][];

// Pinned to the engine hash of @prisma/client (its package.json lists @prisma/engines-version);
// re-check on every Prisma upgrade.
const GLUE = '@prisma/schema-engine-wasm/schema_engine_bg';

// tokio::time::timeout in the wasm engine is backed by the glue's setTimeout, and the glue has no
// clearTimeout: when the guarded future (pg_advisory_lock, 10 s) wins, the timer stays armed and
// keeps the event loop alive. We unref every such timer and clear the leftovers after each command.
const armedTimers = new Set<NodeJS.Timeout>();

function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    armedTimers.delete(timer);
    callback();
  }, ms);
  timer.unref();
  armedTimers.add(timer);
  return timer;
}

function clearArmedTimers(): void {
  for (const timer of armedTimers) clearTimeout(timer);
  armedTimers.clear();
}

interface PanicRegistry {
  set_message(message: string): void;
}

let lastPanic: string | undefined;

function installPanicRegistry(): void {
  const global = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  global.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(message) {
      lastPanic = message;
    },
  };
}

async function instantiate(): Promise<typeof SchemaEngine> {
  installPanicRegistry();
  const gluePath = createRequire(import.meta.url).resolve(GLUE);
  const glue: Glue = await import(GLUE);
  const timeoutImport = Object.keys(glue).find((name) => name.startsWith('__wbg_setTimeout_'));
  if (!timeoutImport) {
    throw new Error(`${GLUE} no longer imports setTimeout; re-check the timer handling in schema-engine.ts`);
  }
  const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'));
  const imports = { ...glue, [timeoutImport]: trackedSetTimeout };
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue.SchemaEngine;
}

// wasm-bindgen keeps module-level state in the glue, so the module is instantiated once per process.
let engineClass: Promise<typeof SchemaEngine> | undefined;

function loadEngineClass(): Promise<typeof SchemaEngine> {
  engineClass ??= instantiate().catch((error: unknown) => {
    engineClass = undefined;
    throw error;
  });
  return engineClass;
}

// A JS error thrown inside the adapter reaches us as "External error id#N"; the original is in the registry.
function describeEngineError(
  error: unknown,
  adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
): Error {
  if (lastPanic !== undefined) {
    const panic = new Error(`Schema engine panicked: ${lastPanic}`, { cause: error });
    lastPanic = undefined;
    return panic;
  }
  const message = error instanceof Error ? error.message : String(error);
  const id = /External error id#(\d+)/.exec(message)?.[1];
  const original = id === undefined ? undefined : adapter.errorRegistry.consumeError(Number(id))?.error;
  if (original instanceof Error) return original;
  return error instanceof Error ? error : new Error(message);
}

let queue: Promise<void> = Promise.resolve();

/**
 * Runs `command` against a fresh engine bound to `factory`. Commands run one at a time per process:
 * the timer cleanup after a command must not cancel a timer another command is still waiting on.
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: Datamodels | undefined,
  command: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const previous = queue;
  let done!: () => void;
  queue = new Promise((resolve) => {
    done = resolve;
  });
  await previous;
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  try {
    const Engine = await loadEngineClass();
    const engine = await Engine.new({ datamodels }, () => {}, adapter);
    try {
      return await command(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw describeEngineError(error, adapter);
  } finally {
    clearArmedTimers();
    done();
  }
}
