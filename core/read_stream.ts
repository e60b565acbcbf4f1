/**
 * Reading a byte stream without trusting its length: an HTTP reply, an
 * external plugin's stdout and stderr. The caller decides after every chunk
 * whether to go on; a stream that is given up is cancelled, which closes the
 * connection or the pipe.
 *
 * @module
 */
import { concatBytes } from "./bytes.ts";

/**
 * Reads `reader` until the stream ends or `take` returns false for a chunk,
 * then cancels it (a failing cancel is ignored: the stream is given up
 * either way). An error of the stream is thrown.
 *
 * @returns true when the stream ended, false when `take` stopped it.
 */
export async function readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  take: (chunk: Uint8Array) => boolean,
): Promise<boolean> {
  while (true) {
    const { done, value } = await reader.read();
    if (done) return true;
    if (!take(value)) {
      await reader.cancel().catch(() => {});
      return false;
    }
  }
}

/** What {@link readAtMost} got. */
export type ReadAtMost =
  /** The whole stream. */
  | { status: "ended"; bytes: Uint8Array }
  /** More than the cap: the stream was cancelled there. */
  | { status: "over" }
  /** The stream failed (cancelled too): `bytes` is what came before. */
  | { status: "broken"; bytes: Uint8Array; error: unknown };

/**
 * Reads `reader` to its end, unless it passes `maxBytes`: then `onOverflow`
 * runs (before the stream is cancelled) and the read stops.
 */
export async function readAtMost(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  onOverflow?: () => void,
): Promise<ReadAtMost> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const ended = await readChunks(reader, (chunk) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        onOverflow?.();
        return false;
      }
      chunks.push(chunk);
      return true;
    });
    return ended ? { status: "ended", bytes: concatBytes(chunks) } : { status: "over" };
  } catch (error) {
    await reader.cancel().catch(() => {});
    return { status: "broken", bytes: concatBytes(chunks), error };
  }
}
