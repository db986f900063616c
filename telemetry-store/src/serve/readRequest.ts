// Reads what a client sent to the owner's ClickHouse HTTP interface: the body (decompressed
// per Content-Encoding, bounded), and the query and `param_*` values a multipart/form-data body
// carries (what @clickhouse/client sends with `use_multipart_params`).
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { chError } from './clickhouseError.ts';

function decompressor(
  encoding: string,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | zlib.ZstdDecompress {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return zlib.createZstdDecompress();
    default:
      throw chError(
        'BAD_ARGUMENTS',
        `Unknown HTTP compression method ${JSON.stringify(encoding)}: the owner reads gzip, deflate, br and zstd`,
      );
  }
}

/**
 * Reads the whole body, decompressing it per Content-Encoding. Over `limit` bytes (after
 * decompression) it fails with QUERY_IS_TOO_LARGE (413).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit)
        throw chError('QUERY_IS_TOO_LARGE', `Request body is over ${limit} bytes (the owner's limit)`);
      chunks.push(chunk);
    }
  };
  if (encoding === '' || encoding === 'identity') {
    await collect(req);
  } else {
    const inflate = decompressor(encoding);
    try {
      await pipeline(req, inflate, async (source: AsyncIterable<Buffer>) => collect(source));
    } catch (err) {
      if ((err as { type?: string }).type === 'QUERY_IS_TOO_LARGE') throw err;
      throw chError(
        'CANNOT_DECOMPRESS',
        `Cannot decompress the ${encoding} request body: ${(err as Error).message}`,
      );
    }
  }
  return Buffer.concat(chunks, size);
}

/** Drains what is left of a request body so the connection can be reused. */
export function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

/** The named parts of a multipart/form-data body (part name -> text). */
export function parseMultipart(body: Buffer, contentType: string): Map<string, string> {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw chError('BAD_ARGUMENTS', 'multipart/form-data body without a boundary');
  const text = body.toString('utf8');
  const parts = new Map<string, string>();
  const delimiter = `--${boundary}`;
  for (const raw of text.split(delimiter).slice(1)) {
    if (raw.startsWith('--')) break;
    const headEnd = raw.indexOf('\r\n\r\n');
    if (headEnd < 0) continue;
    const head = raw.slice(0, headEnd);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    if (/\bfilename=/i.test(head))
      throw chError(
        'NOT_IMPLEMENTED',
        `external data (the multipart file part "${name}") is not supported by the marketbench owner`,
      );
    parts.set(name, raw.slice(headEnd + 4).replace(/\r\n$/, ''));
  }
  return parts;
}
