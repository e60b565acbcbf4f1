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

import { readAtMost } from "../read_stream.ts";

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
  try {
    const got = await readAtMost(reader, maxBytes);
    if (got.status === "broken") throw got.error;
    if (got.status === "over") return { ok: false, reason: "too-large" };
    // `fatal: false`: a stray invalid byte becomes U+FFFD; JSON parsing decides.
    return { ok: true, text: new TextDecoder().decode(got.bytes) };
  } finally {
    reader.releaseLock();
  }
}

/** Releases a body we do not want to read (a retryable error's). */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
