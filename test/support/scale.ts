/** Reliability tests run short inside `npm test` and full under `npm run test:chaos`. */
export const fullScale = process.env.LOGIN_ETL_CHAOS === 'full';

export function scaled(short: number, full: number): number {
  return fullScale ? full : short;
}
