const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type ShutdownSignal = (typeof SIGNALS)[number];
const EXIT_CODES: Record<ShutdownSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * First SIGINT/SIGTERM: `onStop`, so the caller finishes what is in flight
 * and exits normally. Second: exit at once (an embedded Postgres left behind
 * is stopped by the next local run). Returns a function that removes the
 * handler.
 */
export function onShutdownSignal(onStop: (signal: ShutdownSignal) => void): () => void {
  let received = 0;
  const handler = (signal: ShutdownSignal) => {
    received += 1;
    if (received === 1) onStop(signal);
    else process.exit(EXIT_CODES[signal]);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.removeListener(s, handler);
  };
}
