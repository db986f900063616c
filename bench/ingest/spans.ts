// Realistic OTLP trace requests for the ingest benchmark: server spans of the reference service
// with its usual attributes, 1,000 spans per request, unique ids.
import { ATTR, ROUTES, SERVICES, serverSpanName } from '@marketbench/contracts';
import { requestCodec } from '../../telemetry-store/src/ingest/otlpCodec.ts';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });

/** One encoded ExportTraceServiceRequest; `seed` makes its trace and span ids unique. */
export function encodedSpans(seed: number, spans = 1000): Uint8Array {
  const codec = requestCodec('traces');
  const start = 1795255200000000000n + BigInt(seed) * 1_000_000_000n;
  return codec
    .encode(
      codec.fromObject({
        resourceSpans: [
          {
            resource: {
              attributes: [
                str(ATTR.serviceName, SERVICES.reference),
                str(ATTR.serviceVersion, '0.1.0'),
                str(ATTR.deploymentEnvironment, 'bench'),
                str('host.name', 'bench-host'),
                int('process.pid', 4242),
              ],
            },
            scopeSpans: [
              {
                scope: { name: '@opentelemetry/instrumentation-http', version: '0.301.0' },
                spans: Array.from({ length: spans }, (_, i) => {
                  const id = Buffer.alloc(8);
                  id.writeUInt32BE(seed, 0);
                  id.writeUInt32BE(i, 4);
                  const t = start + BigInt(i) * 1000n;
                  return {
                    traceId: Buffer.concat([id, Buffer.from('0123456789abcdef', 'hex')]),
                    spanId: id,
                    name: serverSpanName('GET', ROUTES.listing),
                    kind: 2,
                    startTimeUnixNano: String(t),
                    endTimeUnixNano: String(t + 1_234_567n),
                    attributes: [
                      str(ATTR.httpMethod, 'GET'),
                      str(ATTR.httpRoute, ROUTES.listing),
                      int(ATTR.httpStatusCode, 200),
                      str(ATTR.urlPath, `/listings/${i}`),
                      str(ATTR.urlScheme, 'http'),
                      str(ATTR.serverAddress, '127.0.0.1'),
                      int(ATTR.serverPort, 3000),
                      str(ATTR.runId, 'bench-run'),
                    ],
                    status: { code: 0 },
                  };
                }),
              },
            ],
          },
        ],
      }),
    )
    .finish();
}
