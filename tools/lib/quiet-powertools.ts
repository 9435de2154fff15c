/**
 * Sets up Powertools for a local run of the function. Must run before a
 * LoginEtl is constructed (Powertools reads these at init).
 * - The tools print their own human summary; the JSON logs and EMF documents
 *   are what CloudWatch wants, so they are shown only on request.
 * - Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE; without it Powertools never
 *   reports a cold start, so a local run says what Lambda would.
 */
export function quietPowertools(showLogs: boolean): void {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  if (showLogs) return;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}
