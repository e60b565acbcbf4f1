import type { BundleSection } from "./types.ts";

/**
 * SHA-256 over the sections' ids and contents, independent of the output
 * format and of `generated_at`: two runs that would show a session the same
 * material have the same hash.
 */
export async function contentHash(
  sections: readonly Pick<BundleSection, "id" | "content">[],
): Promise<string> {
  return await sha256Hex(sections.map((s) => `${s.id}\u0000${s.content}`).join("\u0001"));
}

/** SHA-256 of a text's UTF-8 bytes, as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** UTF-8 byte length. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
