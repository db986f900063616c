// Log-record twin of CountingSpanProcessor: redacts body and attributes, batches with counted drops.

import type { LogRecordExporter, LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Redactor } from '../redaction/Redactor.ts';
import { BatchExportQueue, type BatchExportQueueOptions } from '../traces/BatchExportQueue.ts';

/** Batch log processor with counted drops and redaction. */
export class CountingLogProcessor implements LogRecordProcessor {
  readonly queue: BatchExportQueue<ReadWriteLogRecord>;
  readonly #redactor: Redactor;

  constructor(
    exporter: LogRecordExporter,
    redactor: Redactor,
    options: Omit<BatchExportQueueOptions, 'signal'>,
  ) {
    this.queue = new BatchExportQueue<ReadWriteLogRecord>(exporter, { ...options, signal: 'logs' });
    this.#redactor = redactor;
  }

  onEmit(record: ReadWriteLogRecord): void {
    try {
      this.#redactor.attributesInPlace(record.attributes);
      if (record.body !== undefined) {
        const body = this.#redactor.value(record.body);
        if (body !== record.body) record.setBody(body);
      }
    } catch {
      return;
    }
    this.queue.add(record);
  }

  forceFlush(): Promise<void> {
    return this.queue.flush();
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }
}
