import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';

const ASK = 'latchkey:metrics?';
const ANSWER = 'latchkey:metrics';
const TIMEOUT_MS = 6000;

interface Ask {
  type: typeof ASK;
  id: string;
}
interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
  error?: string;
}

/**
 * LATCHKEY_WORKERS=N: GET /metrics on any worker answers every worker's series. The worker that got
 * the request asks the primary over cluster IPC; the primary's AggregatorRegistry asks every worker
 * for its registry (prom-client's own IPC) and merges them. Each worker labels its series `worker`,
 * so none are summed away.
 */
export function answerClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: Ask) => {
    if (msg?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: msg.id, text } satisfies Answer),
      (err: Error) => worker.send({ type: ANSWER, id: msg.id, error: err.message } satisfies Answer),
    );
  });
}

/** In a worker: its registry is the one the primary collects. */
export function offerWorkerMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one is what makes prom-client answer the primary's requests in this worker.
  void new AggregatorRegistry();
}

/** In a worker: every worker's metrics, through the primary. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (msg: Answer) => {
      if (msg?.type !== ANSWER || msg.id !== id) return;
      done();
      if (msg.text !== undefined) resolve(msg.text);
      else reject(new Error(msg.error ?? 'no metrics'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error("the primary did not answer with the workers' metrics"));
    }, TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: ASK, id } satisfies Ask);
  });
}

export const clustered = (): boolean => cluster.isWorker && typeof process.send === 'function';
