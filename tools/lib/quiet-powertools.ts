/**
 * The local tools print their own human summary; the function's JSON logs and
 * EMF documents are what CloudWatch wants, so they are shown only on request.
 * Must run before a LoginEtl is constructed (Powertools reads these at init).
 */
export function quietPowertools(showLogs: boolean): void {
  if (showLogs) return;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}
