/**
 * The HTTP load generator on a worker thread of its own. The bench runs the API server in its own
 * process, so the process's CPU minus this thread's is the server's (event loop, GC helpers, libuv
 * pool) without the client's.
 */
import { Worker } from 'node:worker_threads';
import type { IngestResult } from './http-load.js';
import type { LoadMessage } from './load-thread-worker.js';

type Reply =
  | { type: 'ready' }
  | { type: 'done'; result: IngestResult; cpu: number }
  | { type: 'failed'; message: string };

export interface LoadRun extends IngestResult {
  /** CPU seconds the load generator's thread used for this run. */
  readonly clientCpu: number;
}

export class LoadThread {
  private pending: ((reply: Reply) => void) | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const settle = this.pending;
      this.pending = null;
      settle?.(reply);
    });
    worker.on('error', (error) => {
      const settle = this.pending;
      this.pending = null;
      settle?.({ type: 'failed', message: String(error) });
    });
  }

  /** Starts the thread; tsx is registered inside it, as workers do not inherit tsx's loader. */
  static async start(): Promise<LoadThread> {
    const file = new URL('./load-thread-worker.ts', import.meta.url).href;
    const worker = new Worker(
      `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); })`,
      { eval: true },
    );
    const thread = new LoadThread(worker);
    const ready = await thread.reply();
    if (ready.type !== 'ready') throw new Error(`load thread: ${JSON.stringify(ready)}`);
    return thread;
  }

  private reply(): Promise<Reply> {
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  /** Hands prepared request bodies to the thread, under a name (before anything is timed). */
  store(name: string, bodies: string[]): void {
    this.worker.postMessage({ type: 'bodies', name, bodies } satisfies LoadMessage);
  }

  /** Sends bodies [from, to) of `name` with `inFlight` requests at a time. */
  async run(job: Omit<Extract<LoadMessage, { type: 'run' }>, 'type'>): Promise<LoadRun> {
    const reply = this.reply();
    this.worker.postMessage({ type: 'run', ...job } satisfies LoadMessage);
    const answer = await reply;
    if (answer.type !== 'done') throw new Error(`load thread: ${JSON.stringify(answer)}`);
    return { ...answer.result, clientCpu: answer.cpu };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
