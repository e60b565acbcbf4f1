import { sha256Hex as sha256OfBytes } from "../bytes.ts";
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
export function sha256Hex(text: string): Promise<string> {
  return sha256OfBytes(new TextEncoder().encode(text));
}

/** UTF-8 byte length (counted, not encoded). */
export { utf8Length as byteLength } from "../bytes.ts";
