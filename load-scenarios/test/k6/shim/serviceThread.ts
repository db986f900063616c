// The reference service in a worker thread: the k6/http shim blocks the test's thread while a
// request is in flight (as k6 blocks its VU), so the service cannot share that thread's event loop.

import { parentPort, workerData } from 'node:worker_threads';
import { startService } from '@marketbench/reference-service';

const service = await startService({ port: 0, sqlitePath: ':memory:', pspLatencyMs: 0, ...workerData });
parentPort?.postMessage({ url: service.url });
parentPort?.on('message', async (m) => {
  if (m === 'close') {
    await service.close();
    parentPort?.postMessage({ closed: true });
  }
});
