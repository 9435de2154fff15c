export const MiB = 1024 * 1024;

/** A number with thousands separators and `digits` decimals; — for a value not measured. */
export const formatNumber = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
