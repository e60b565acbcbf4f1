/**
 * Test helper (not a test): deterministic fake secrets. Tests build secrets
 * from pieces at run time so this repository never contains a string that
 * looks like a live credential.
 *
 * @module
 */

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Deterministic pseudo-random string (xorshift) over `alphabet`. */
export function fake(length: number, alphabet: string = ALNUM, seed = 7): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}
