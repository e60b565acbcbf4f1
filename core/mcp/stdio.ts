/**
 * MCP over stdio, newline-delimited JSON-RPC, written against Deno's own
 * streams instead of the SDK's Node-flavoured `StdioServerTransport`.
 *
 * Why our own: the SDK transport reports a line that is not JSON (or not
 * JSON-RPC) to `onerror` and answers nothing, and it buffers a line of any
 * length. A server that a coding client keeps open for hours must answer
 * every bad line with a JSON-RPC error and keep serving, and must not let
 * one oversized line grow its memory without bound. This transport:
 *
 * - answers unparsable JSON with -32700 and a well-formed JSON value that is
 *   not a JSON-RPC message with -32600 (with the request's id when it has one);
 * - drops a line longer than {@link MAX_LINE_BYTES} as it streams past and
 *   answers -32600;
 * - on end of input, waits (bounded) for the answers to requests already
 *   received, so `printf '…' | kaizen mcp` gets its replies;
 * - writes each message whole and in order, and nothing else, to stdout.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { unrefTimer } from "../fs/deadline.ts";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport";
// The package's "./*" export maps `types.js` to a missing `types.js.d.ts`; point at the real one.
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/** Requests are a few hundred bytes; 1 MiB leaves room for any tool input we accept. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** How long end of input waits for in-flight requests before closing. */
export const DRAIN_TIMEOUT_MS = 30_000;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * Where bytes come from and go to (tests pass their own). Plain reads, not
 * `Deno.stdin.readable`: the web-streams layer is loaded on first use and
 * cost 2.5 ms of every start.
 */
export interface StdioStreams {
  /** Fills `buffer`; resolves with the byte count, or null at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  /** Stops a pending read (the server is closing before end of input). */
  close?(): void;
}

/** Bytes asked for per read. */
const READ_SIZE = 64 * 1024;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  #streams: StdioStreams;
  #writing: Promise<void> = Promise.resolve();
  #pending = new Set<RequestId>();
  #drained?: () => void;
  #closed = false;
  #encoder = new TextEncoder();

  constructor(streams: StdioStreams = denoStdio()) {
    this.#streams = streams;
  }

  start(): Promise<void> {
    this.#readLoop().catch((err) => this.onerror?.(err as Error));
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if ("id" in message && !("method" in message)) this.#answered(message.id as RequestId);
    return this.#write(JSON.stringify(message) + "\n");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#streams.close?.();
    } catch { /* already closed */ }
    await this.#writing.catch(() => {});
    this.onclose?.();
  }

  #answered(id: RequestId): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#drained?.();
  }

  #write(text: string): Promise<void> {
    const bytes = this.#encoder.encode(text);
    const next = this.#writing.then(async () => {
      for (let off = 0; off < bytes.length;) off += await this.#streams.write(bytes.subarray(off));
    });
    // A closed stdout fails this write; the next one still runs (and fails) in order.
    this.#writing = next.catch((err) => this.onerror?.(err as Error));
    return next;
  }

  #error(id: RequestId | null, code: number, message: string): void {
    this.#write(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }) + "\n")
      .catch(() => {});
  }

  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder("utf-8", { fatal: false });
    let parts: Uint8Array[] = [];
    let size = 0;
    let oversized = false;
    const buffer = new Uint8Array(READ_SIZE);
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#streams.read(buffer);
      } catch {
        break;
      }
      if (n === null) break;
      let data = buffer.subarray(0, n);
      for (;;) {
        const nl = data.indexOf(0x0a);
        const piece = nl < 0 ? data : data.subarray(0, nl);
        if (!oversized) {
          if (size + piece.length > MAX_LINE_BYTES) {
            oversized = true;
            parts = [];
            size = 0;
          } else {
            parts.push(piece.slice());
            size += piece.length;
          }
        }
        if (nl < 0) break;
        if (oversized) {
          this.#error(null, INVALID_REQUEST, `request larger than ${MAX_LINE_BYTES} bytes`);
        } else {
          this.#line(decoder.decode(concatBytes(parts)));
        }
        parts = [];
        size = 0;
        oversized = false;
        data = data.subarray(nl + 1);
      }
    }
    if (!oversized && size > 0) this.#line(decoder.decode(concatBytes(parts)));
    await this.#drain();
    await this.close();
  }

  /**
   * Waits for the answers to requests already received (end of input),
   * at most {@link DRAIN_TIMEOUT_MS}. The deadline's cheap timer, not
   * `setTimeout`: the first `setTimeout` of a process costs Deno about 4 ms.
   */
  #drain(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    const timer = unrefTimer(DRAIN_TIMEOUT_MS);
    return Promise.race([
      timer.fired,
      new Promise<void>((resolve) => (this.#drained = resolve)),
    ]).finally(timer.cancel);
  }

  #line(line: string): void {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.#error(null, PARSE_ERROR, "parse error: the line is not JSON");
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const id = idOf(value);
      this.#error(id, INVALID_REQUEST, "invalid request: not a JSON-RPC 2.0 message");
      return;
    }
    const message = parsed.data as JSONRPCMessage;
    if ("method" in message && "id" in message) this.#pending.add(message.id as RequestId);
    this.onmessage?.(message);
  }
}

function idOf(value: unknown): RequestId | null {
  if (typeof value !== "object" || value === null || !("id" in value)) return null;
  const id = (value as { id: unknown }).id;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

function denoStdio(): StdioStreams {
  return {
    read: (buffer) => Deno.stdin.read(buffer),
    close: () => Deno.stdin.close(),
    write: (bytes) => Deno.stdout.write(bytes),
  };
}
