// Replays the spool segments a previous process left behind, before the ingest listens. Rows are
// inserted a block per table at a time as they accumulate (memory stays at one block per table),
// and after each block the records whose rows for that table are now in are appended to the
// segment's .acks file, as the live path does: a kill during the replay re-inserts at most the
// block in flight, not everything replayed so far.

import path from 'node:path';
import type { Batcher } from './Batcher.ts';
import type { OtelTable } from './mappedRows.ts';
import { mapRequest, type RequestLimits } from './mapRequest.ts';
import { NO_DECODE_LIMITS } from './otlpCodec.ts';
import { Spool } from './Spool.ts';

interface Block {
  lines: string[];
  /** Records whose rows for the table are all in `lines`. */
  records: number[];
}

/** Rows inserted, and segments kept because the store failed (they are replayed again next start). */
export interface ReplayResult {
  insertedRows: number;
  keptSegments: number;
}

/**
 * Replays every left-over segment. Request limits are not applied again (these requests were
 * acknowledged under them; lowering one must not lose them), the per-item checks are.
 */
export async function replaySpool(
  spool: Spool,
  batcher: Batcher,
  batchRows: number,
  maxAttributes: number,
  log: (m: string) => void,
): Promise<ReplayResult> {
  const limits: RequestLimits = {
    decode: NO_DECODE_LIMITS,
    map: { maxAttributes, maxChars: Number.POSITIVE_INFINITY },
  };
  let insertedRows = 0;
  let keptSegments = 0;
  for (const seg of spool.leftover()) {
    const { records, tornBytes } = Spool.read(seg.file);
    const acked = Spool.acked(seg.file);
    const byTable = new Map<OtelTable, Block>();
    let storeFailed = false;
    let replayed = 0;
    const insert = async (table: OtelTable, block: Block) => {
      const outcome = await batcher.insertBlock(table, block.lines);
      insertedRows += outcome.inserted;
      if (outcome.storeFailed) storeFailed = true;
      else Spool.recordAcks(seg.file, table, block.records);
    };
    for (const [index, r] of records.entries()) {
      let mapped: ReturnType<typeof mapRequest>;
      try {
        mapped = mapRequest(r.signal, r.json, r.payload, limits);
      } catch (err) {
        log(`ingest: spool replay skipped an undecodable record in ${seg.file}: ${(err as Error).message}`);
        continue;
      }
      let any = false;
      for (const [table, lines] of mapped.rows) {
        if (lines.length === 0 || acked.has(index, table)) continue;
        any = true;
        let block = byTable.get(table);
        if (block === undefined) {
          block = { lines: [], records: [] };
          byTable.set(table, block);
        }
        for (const l of lines) block.lines.push(l);
        block.records.push(index);
        if (block.lines.length >= batchRows) {
          byTable.delete(table);
          await insert(table, block);
        }
      }
      if (any) replayed++;
    }
    for (const [table, block] of byTable) await insert(table, block);
    if (storeFailed) {
      keptSegments++;
      log(
        `ingest: kept ${path.basename(seg.file)}: the store refused its rows; the next start replays what is not in yet`,
      );
    } else spool.remove(seg.file);
    log(
      `ingest: replayed ${replayed} requests from ${path.basename(seg.file)} (${records.length - replayed} already inserted)` +
        (tornBytes ? ` (ignored a torn tail of ${tornBytes} bytes: never acknowledged)` : ''),
    );
  }
  return { insertedRows, keptSegments };
}
