/**
 * Byte helpers: joining chunks read from a stream (a reply body, a plugin's
 * stdout, stdin) into one array once the reader has enforced its cap, and
 * the hex SHA-256 that state files, events and bundles are fingerprinted with.
 *
 * @module
 */

/** `chunks` end to end in one new array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The UTF-8 size of `text`, counted without encoding it: a size limit can
 * refuse a huge input before allocating its bytes. Equal to
 * `new TextEncoder().encode(text).length`, lone surrogates included (each
 * encodes as U+FFFD, 3 bytes).
 */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 code units
      i++;
    } else n += 2; // 3 bytes: the rest of the BMP, and a lone surrogate as U+FFFD
  }
  return n;
}
