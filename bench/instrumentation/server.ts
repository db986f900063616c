// One benchmark server process: the same trivial JSON route on Fastify, instrumented one of four
// ways (argv[2]): plain, prom (prom-client histogram only), stock (sdk-node + http
// auto-instrumentation + OTLP/protobuf export through the stock BatchSpanProcessor, 100%
// sampling), ours (startTelemetry + fastifyPlugin, OTLP/protobuf), ours-json (same, OTLP/JSON). Talks to the orchestrator over IPC:
// sends {ready, port}; on {finish} flushes telemetry and answers {rss, stats}.

const variant = process.argv[2] ?? 'plain';
const endpoint = process.env.BENCH_OTLP ?? 'http://127.0.0.1:4318';
// ours-json: the same with OTLP/JSON bodies (the encoding comparison).
const protocol = variant === 'ours-json' ? 'http/json' : 'http/protobuf';
const batchSize = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;

let finish: () => Promise<unknown> = async () => undefined;
let flush: () => Promise<unknown> = async () => undefined;
let promHandler:
  | ((req: unknown, reply: { type(t: string): { send(b: string): unknown } }) => Promise<unknown>)
  | undefined;

type Hook = (app: import('fastify').FastifyInstance) => Promise<void>;
let setup: Hook = async () => {};

if (variant === 'stock') {
  // Loaded before fastify so the http instrumentation can patch node:http.
  // The OTel 0.301 line is installed under instrumentation/ (the root holds the 0.57 line).
  const { createRequire } = await import('node:module');
  const require = createRequire(new URL('../../instrumentation/package.json', import.meta.url));
  type Ctor = new (options: Record<string, unknown>) => unknown;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as {
    NodeSDK: new (options: Record<string, unknown>) => { start(): void; shutdown(): Promise<void> };
  };
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as {
    HttpInstrumentation: Ctor;
  };
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as {
    OTLPTraceExporter: Ctor;
  };
  const sdk = new NodeSDK({
    serviceName: 'bench-stock',
    traceExporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
    instrumentations: [new HttpInstrumentation({})],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const { trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  flush = async () => {
    const provider = (
      trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }
    ).getDelegate();
    await provider.forceFlush();
  };
  finish = () => sdk.shutdown();
} else if (variant === 'ours' || variant === 'ours-json') {
  const { startTelemetry } = await import('@marketbench/instrumentation');
  const telemetry = startTelemetry({
    serviceName: 'bench-ours',
    otlpEndpoint: endpoint,
    protocol,
    handleSignals: false,
    logLevel: 'silent',
    logsEnabled: false,
    maxExportBatchSize: batchSize,
    // BENCH_TRACES=0 isolates the cost of hooks + metrics (diagnostics, not a table row).
    tracesEnabled: process.env.BENCH_TRACES !== '0',
  });
  setup = async (app) => {
    await app.register(telemetry.fastifyPlugin);
  };
  flush = () => telemetry.forceFlush();
  finish = async () => {
    await telemetry.shutdown();
    return telemetry.stats();
  };
} else if (variant === 'prom') {
  const client = (await import('prom-client')).default;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const h = new client.Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers: [registry],
  });
  setup = async (app) => {
    app.addHook('onRequest', (req, _reply, done) => {
      (req as unknown as { t0: number }).t0 = performance.now();
      done();
    });
    app.addHook('onResponse', (req, reply, done) => {
      h.observe(
        { method: req.method, route: req.routeOptions.url ?? '', status_code: reply.statusCode },
        (performance.now() - (req as unknown as { t0: number }).t0) / 1000,
      );
      done();
    });
  };
  promHandler = async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics());
}

const Fastify = (await import('fastify')).default;
const app = Fastify({ logger: false });
await setup(app);
app.get('/listings/:id', async (req) => ({
  id: (req.params as { id: string }).id,
  title: 'Vintage lamp',
  price: 4200,
}));
if (promHandler) app.get('/metrics', promHandler as never);
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;

let cpuMark = process.cpuUsage();
let threadMark = process.threadCpuUsage();
process.on('message', (m: { type: string }) => {
  if (m.type === 'flush') {
    // After the warm-up: export its spans now, then start counting CPU.
    void flush().then(() => {
      cpuMark = process.cpuUsage();
      threadMark = process.threadCpuUsage();
      process.send?.({ type: 'flushed' });
    });
    return;
  }
  if (m.type !== 'finish') return;
  void (async () => {
    const cpu = process.cpuUsage(cpuMark);
    const thread = process.threadCpuUsage(threadMark);
    const rss = process.memoryUsage().rss;
    await app.close();
    const stats = await finish();
    process.send?.(
      {
        type: 'finished',
        rss,
        cpuMicros: cpu.user + cpu.system,
        mainThreadMicros: thread.user + thread.system,
        stats,
      },
      () => process.exit(0),
    );
  })();
});
process.send?.({ type: 'ready', port });
