/**
 * The MCP line transport on in-memory streams: how bytes are cut into
 * messages (chunks split anywhere, a multi-byte character split across two
 * reads, CRLF, no final newline), what a bad or oversized line gets back,
 * and that end of input waits for the answers already owed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { LineTransport, MAX_LINE_BYTES } from "../core/mcp/stdio.ts";

const enc = new TextEncoder();

/** A transport fed `chunks`; collects what it delivers and what it writes. */
function harness(chunks: Uint8Array[]) {
  const written: string[] = [];
  const queue = [...chunks];
  const transport = new LineTransport({
    // One chunk per read, as a pipe hands them over (a chunk never exceeds the buffer here).
    read: (buffer) => {
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
    write: (bytes) => {
      written.push(new TextDecoder().decode(bytes));
      return Promise.resolve(bytes.length);
    },
  });
  const delivered: unknown[] = [];
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  transport.onmessage = (m) => delivered.push(m);
  return {
    transport,
    delivered,
    closed,
    replies: () => written.join("").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)),
  };
}

/** Splits `bytes` into pieces of `size` bytes. */
function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

Deno.test("transport: messages survive any chunking, UTF-8 split across reads, CRLF and no final newline", async () => {
  const text = [
    JSON.stringify({
      jsonrpc: "2.0",
      method: "notifications/a",
      params: { s: "Zürich — 東京 🙂" },
    }),
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/b" }) + "\r",
    "",
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/c" }),
  ].join("\n");
  for (const size of [1, 2, 3, 7, 1000]) {
    const h = harness(pieces(enc.encode(text), size));
    await h.transport.start();
    await h.closed;
    assert.deepEqual(
      h.delivered.map((m) => (m as { method: string }).method),
      ["notifications/a", "notifications/b", "notifications/c"],
      `chunk size ${size}`,
    );
    assert.equal(
      (h.delivered[0] as { params: { s: string } }).params.s,
      "Zürich — 東京 🙂",
    );
    assert.deepEqual(h.replies(), []);
  }
});

Deno.test("transport: a bad line gets -32700 / -32600 and the next line is still read", async () => {
  const big = "x".repeat(MAX_LINE_BYTES + 10);
  const h = harness(pieces(
    enc.encode(
      [
        "{oops",
        JSON.stringify({ id: 9, method: 3 }),
        JSON.stringify([1, 2]),
        big,
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/after" }),
      ].join("\n") + "\n",
    ),
    64 * 1024,
  ));
  await h.transport.start();
  await h.closed;
  const replies = h.replies() as { id: unknown; error: { code: number; message: string } }[];
  assert.deepEqual(replies.map((r) => [r.id, r.error.code]), [
    [null, -32700],
    [9, -32600],
    [null, -32600],
    [null, -32600],
  ]);
  assert.match(replies[3].error.message, /larger than/);
  assert.deepEqual(h.delivered, [{ jsonrpc: "2.0", method: "notifications/after" }]);
});

Deno.test("transport: end of input waits for the answer to a request already received", async () => {
  const h = harness([enc.encode(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n")]);
  let closedEarly = true;
  h.transport.onmessage = (m) => {
    // Answer later, as a slow handler would; the transport must not close first.
    setTimeout(() => {
      closedEarly = false;
      h.transport.send({ jsonrpc: "2.0", id: (m as { id: number }).id, result: {} });
    }, 50);
  };
  await h.transport.start();
  await h.closed;
  assert.equal(closedEarly, false);
  assert.deepEqual(h.replies(), [{ jsonrpc: "2.0", id: 1, result: {} }]);
});
