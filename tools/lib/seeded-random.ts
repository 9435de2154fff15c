/**
 * sfc32: a small, fast, seedable PRNG (uniform floats in [0, 1)), identical
 * in every runtime, for generated data that must be the same run after run
 * (bench message sets, chaos schedules). Not for anything secret.
 * `discard` outputs are dropped first to mix a small seed in.
 */
export function seededRandom(seed: number, discard = 12): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  for (let i = 0; i < discard; i += 1) next();
  return next;
}
