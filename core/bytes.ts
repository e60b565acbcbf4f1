/**
 * Joining byte chunks read from a stream (a reply body, a plugin's stdout,
 * stdin) into one array, once, after the reader has enforced its cap.
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
