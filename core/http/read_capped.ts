/**
 * Reading a reply without trusting its size.
 *
 * `response.text()` buffers whatever the server sends; a broken or hostile
 * store could answer with gigabytes. This reads chunk by chunk and stops —
 * cancelling the stream, which closes the connection — as soon as the cap
 * is passed. A `Content-Length` over the cap is refused before reading.
 *
 * @module
 */

import { concatBytes } from "../bytes.ts";

/** What reading a capped body found: the text, or that it was over the cap. */
export type CappedBody =
  | { ok: true; text: string }
  | { ok: false; reason: "too-large" };

/**
 * Reads `response`'s body as UTF-8 text, at most `maxBytes` of it. The body
 * is always consumed or cancelled, so no resource is left open. Errors from
 * the stream (an abort, a reset) are rethrown.
 */
export async function readCapped(response: Response, maxBytes: number): Promise<CappedBody> {
  const body = response.body;
  if (body === null) return { ok: true, text: "" };
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body.cancel().catch(() => {});
    return { ok: false, reason: "too-large" };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: "too-large" };
      }
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
  const all = concatBytes(chunks);
  // `fatal: false`: a stray invalid byte becomes U+FFFD; JSON parsing decides.
  return { ok: true, text: new TextDecoder().decode(all) };
}

/** Releases a body we do not want to read (a retryable error's). */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
