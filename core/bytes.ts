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
