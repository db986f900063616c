// The run's money check (DESIGN.md contract 4: PSP captures = paid orders, per currency): asks the
// reference service's GET /admin/reconciliation for the run's window, waiting a bounded time for
// payments still in doubt to be settled by the service's resolver, and turns the answer into a
// line of the run's reconciliation block. Shared by `start`, `slo drill` and `reconcile`.
import type { ReconciliationReport } from '@marketbench/reference-service';
import type { ReconciliationRow } from '../report/types.ts';

/** The service's answer: reference-service's ReconciliationReport, as JSON. */
export type PspReconciliation = ReconciliationReport;

export interface ReconcileOptions {
  /** Base URL of the reference service. */
  serviceUrl: string;
  adminToken: string;
  /** Window start (epoch ms); orders created before it are not this run's. */
  fromMs?: number;
  /** Window end (epoch ms); default now. */
  toMs?: number;
  /** How long to wait for unsettled payments to settle, ms (0: answer at once). */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One reconciliation, after waiting (bounded) until no payment is left unsettled. */
export async function fetchPspReconciliation(o: ReconcileOptions): Promise<PspReconciliation> {
  const deadline = Date.now() + (o.settleTimeoutMs ?? 0);
  const q = new URLSearchParams();
  if (o.fromMs !== undefined) q.set('from', String(Math.floor(o.fromMs)));
  if (o.toMs !== undefined) q.set('to', String(Math.ceil(o.toMs)));
  const url = `${o.serviceUrl.replace(/\/$/, '')}/admin/reconciliation${q.size ? `?${q}` : ''}`;
  let waited = false;
  for (;;) {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${o.adminToken}` },
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json().catch(() => ({}))) as PspReconciliation & { title?: string };
    if (res.status !== 200) {
      throw new Error(`GET /admin/reconciliation answered ${res.status}: ${body.title ?? 'no detail'}`);
    }
    const pending = body.counts?.unsettled_pending ?? 0;
    if (pending === 0 || Date.now() >= deadline) return body;
    if (!waited) o.log?.(`${pending} payments still being confirmed with the PSP; waiting for the resolver`);
    waited = true;
    await sleep(500);
  }
}

/** The line of the run's reconciliation block: discrepancies found (0 when PSP and books agree). */
export function pspReconciliationRow(r: PspReconciliation | Error): ReconciliationRow {
  const what = 'PSP captures = paid orders';
  if (r instanceof Error) {
    return {
      what,
      source: `PSP reconciliation unavailable: ${r.message}`,
      value: null,
      ok: false,
      payments: true,
    };
  }
  const currencies = Object.entries(r.currencies)
    .map(
      ([c, x]) =>
        `${c} ${x.pspNetCents} = ${x.paidOrdersCents} = ${x.ledgerClearingCents}${x.ok ? '' : ' ≠'}`,
    )
    .join('; ');
  const kinds = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return {
    what,
    source: `discrepancies between the PSP settlement report, the orders and the ledger, per currency (net PSP cents = paid orders = ledger psp_clearing: ${currencies || 'no payments'})${kinds ? `: ${kinds}` : ''}`,
    value: r.discrepancies.length + (r.pspComplete ? 0 : 1),
    ok: r.ok,
    payments: true,
  };
}
