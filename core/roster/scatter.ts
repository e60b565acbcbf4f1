/**
 * Deterministic scatter: a fleet whose repos all say "Monday 09:00" should
 * not fire in one minute. Each (repo, agent) run is shifted by an offset
 * derived from its name, the same on every host and in every implementation:
 *
 *   offset_seconds = uint64_be(sha256(utf8(slug + "/" + agent))[0..8]) mod span_seconds
 *
 * Test vector (span 3600 s): `kaizen-agentic/coach` → 1065 s,
 * `the-custodian/optimization` → 1770 s, `pilot/coach` → 523 s.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The scatter offset in milliseconds (whole seconds) for `slug`/`agent` within `spanMs`. */
export function scatterOffsetMs(slug: string, agent: string, spanMs: number): number {
  const span = BigInt(Math.floor(spanMs / 1000));
  if (span <= 0n) return 0;
  const digest = createHash("sha256").update(`${slug}/${agent}`, "utf8").digest();
  let u = 0n;
  for (let i = 0; i < 8; i++) u = (u << 8n) | BigInt(digest[i]);
  return Number(u % span) * 1000;
}
