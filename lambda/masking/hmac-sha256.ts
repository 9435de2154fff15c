import { hash } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
/** Message lengths whose views of the scratch buffer are kept: those of typical tokens and row seals. */
const VIEWS_UP_TO = 512;

/**
 * HMAC-SHA-256 (RFC 2104) for many short messages under one key, built on
 * node:crypto's one-shot SHA-256: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)).
 * Hand-written because createHmac() sets up an OpenSSL MAC context and a
 * JS object per call, which costs about twice the two SHA-256 runs it
 * wraps, and tokens are the hot path (two per login). The padded key blocks
 * are computed once, into buffers this instance reuses (single-threaded, so
 * never shared by two calls). test/unit/masking/hmac-sha256.test.ts checks
 * it against createHmac on arbitrary keys and messages.
 */
export class HmacSha256 {
  /** K ⊕ ipad, then room for the message. */
  #inner: Buffer;
  /** K ⊕ opad, then the inner digest. */
  readonly #outer: Buffer;
  /** Views of #inner by message length, made once: a view per call is garbage per token. */
  #views: Buffer[] = [];

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(BLOCK_BYTES);
    // RFC 2104: a key longer than the block is hashed first.
    if (key.length > BLOCK_BYTES) hash('sha256', key, 'buffer').copy(block);
    else block.set(key);
    this.#inner = Buffer.alloc(BLOCK_BYTES + 256);
    this.#outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i += 1) {
      this.#inner[i] = (block[i] as number) ^ 0x36;
      this.#outer[i] = (block[i] as number) ^ 0x5c;
    }
    block.fill(0);
  }

  /** The MAC of `message` as UTF-8, in lowercase hex. */
  hex(message: string): string {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.#reserve(message.length * 3);
    return this.#finish(this.#inner.write(message, BLOCK_BYTES, 'utf8'), 'hex');
  }

  /** The MAC of `bytes`, as a latin1 string of its 32 bytes (one character per byte, no Buffer made). */
  binary(bytes: Uint8Array): string {
    this.#reserve(bytes.length);
    this.#inner.set(bytes, BLOCK_BYTES);
    return this.#finish(bytes.length, 'binary');
  }

  #reserve(messageBytes: number): void {
    if (BLOCK_BYTES + messageBytes <= this.#inner.length) return;
    const grown = Buffer.alloc(BLOCK_BYTES + messageBytes);
    this.#inner.copy(grown, 0, 0, BLOCK_BYTES);
    // The old buffer holds K ⊕ ipad (as good as the key) and the last message.
    this.#inner.fill(0);
    this.#inner = grown;
    this.#views = [];
  }

  #view(messageBytes: number): Buffer {
    return this.#inner.subarray(0, BLOCK_BYTES + messageBytes);
  }

  // Digests as strings: a Buffer returned from native code costs more than the hash of a short message.
  #finish(messageBytes: number, encoding: 'hex' | 'binary'): string {
    const view = messageBytes <= VIEWS_UP_TO ? (this.#views[messageBytes] ??= this.#view(messageBytes)) : this.#view(messageBytes);
    const inner = hash('sha256', view, 'binary');
    this.#outer.write(inner, BLOCK_BYTES, 'binary');
    return hash('sha256', this.#outer, encoding);
  }
}
