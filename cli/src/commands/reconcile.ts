import { parseNumber, resolveAdminToken } from '@marketbench/contracts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { fetchPspReconciliation, type PspReconciliation } from '../stack/pspReconciliation.ts';

interface ReconcileFlags {
  url: string;
  adminToken?: string;
  from?: string;
  to?: string;
  settle: string;
  json: boolean;
}

function instant(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) {
    throw new CliError('MB_ERR_USAGE', `${flag} must be an ISO time or epoch milliseconds, got "${raw}"`);
  }
  return ms;
}

/** The report as text: one line per currency, then the discrepancies grouped by kind. */
export function formatReconciliation(r: PspReconciliation): string {
  const lines = [
    `PSP reconciliation ${r.from} .. ${r.to}: ${r.orders} orders, ${r.captures} captures, ${r.refunds} refunds${r.pspComplete ? '' : ' (the PSP forgot records of this window)'}`,
    '  currency   PSP captured   PSP refunded        PSP net    paid orders  ledger clearing',
  ];
  for (const [c, x] of Object.entries(r.currencies).sort()) {
    const n = (v: number) => String(v).padStart(14);
    lines.push(
      `  ${x.ok ? '✓' : '✗'} ${c.padEnd(6)} ${n(x.pspCapturedCents)} ${n(x.pspRefundedCents)} ${n(x.pspNetCents)} ${n(x.paidOrdersCents)} ${n(x.ledgerClearingCents)}`,
    );
  }
  if (Object.keys(r.currencies).length === 0) lines.push('  (no payments in the window)');
  const kinds = Object.entries(r.counts).filter(([, v]) => v > 0);
  lines.push(
    kinds.length === 0
      ? 'discrepancies: none'
      : `discrepancies: ${kinds.map(([k, v]) => `${v} ${k}`).join(', ')}`,
  );
  for (const d of r.discrepancies.slice(0, 50)) {
    lines.push(`  ${d.kind.padEnd(18)} order ${d.orderId ?? '-'}  ${d.detail}`);
  }
  if (r.discrepancies.length > 50)
    lines.push(`  … and ${r.discrepancies.length - 50} more (--json lists all)`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('reconcile')
    .description('match the PSP settlement report with orders and ledger, per currency, to the cent')
    .option('--url <url>', 'reference service base URL', 'http://127.0.0.1:8080')
    .option('--admin-token <token>', 'bearer token of /admin (env MARKETBENCH_ADMIN_TOKEN)')
    .option('--from <time>', 'window start, ISO time or epoch ms (default: the beginning)')
    .option('--to <time>', 'window end, ISO time or epoch ms (default: now)')
    .option('--settle <seconds>', 'wait up to this long for payments still being confirmed', '0')
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Every capture at the PSP must belong to exactly one paid (or refunded) order with the same amount
and currency, every refund to a refunded order, and per currency the PSP's net, the paid orders and
the ledger's psp_clearing must be equal. Discrepancy kinds: orphan_capture, double_capture,
missing_capture, amount_mismatch, currency_mismatch, orphan_refund, missing_refund,
unsettled_pending, ledger_mismatch.
Exit codes: 0 reconciled, 99 discrepancies (MB_ERR_RECONCILIATION_FAILED), 2 the service could not
answer (MB_ERR_RECONCILIATION_UNAVAILABLE), 1 usage.`,
    )
    .action(async (flags: ReconcileFlags) => {
      const adminToken = resolveAdminToken(flags.adminToken);
      if (!adminToken) {
        throw new CliError('MB_ERR_USAGE', 'reconcile needs --admin-token or MARKETBENCH_ADMIN_TOKEN');
      }
      const settle = parseNumber(flags.settle, '--settle', { min: 0 });
      const report = await fetchPspReconciliation({
        serviceUrl: flags.url,
        adminToken,
        fromMs: instant('--from', flags.from),
        toMs: instant('--to', flags.to),
        settleTimeoutMs: settle * 1000,
      }).catch((err: Error) => {
        throw new CliError('MB_ERR_RECONCILIATION_UNAVAILABLE', err.message, { cause: err });
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReconciliation(report),
      );
      if (!report.ok) {
        throw new CliError(
          'MB_ERR_RECONCILIATION_FAILED',
          `the PSP and the books disagree: ${report.discrepancies.length} discrepancies`,
        );
      }
    });
}
