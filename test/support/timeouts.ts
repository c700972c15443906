/**
 * The time limit of a test (or hook) whose work is heavy on a loaded machine: spawning `tsx` (it
 * compiles the sources), migrating a fresh database with the wasm schema engine, seeding two
 * tenants and sweeping the whole schema. Idle, the slowest of them takes about 12 s; at a load
 * average of 20 on 2 cores they ran 10–15 times slower. Their waits end on events (a log line, an
 * exit, a response), never after a fixed time, so this limit only decides how soon a hang is
 * reported. See docs/decisions/0010-tests-on-a-loaded-machine.md.
 */
export const heavyTestTimeout = 5 * 60_000;
