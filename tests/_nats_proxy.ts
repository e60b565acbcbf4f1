/**
 * Test helper (not a test): a loopback TCP proxy in front of a NATS server
 * that records what each client sent and can misbehave on purpose — drop a
 * connection at once, accept and never answer, or cut a connection when the
 * server's reply matches a rule (a withheld publish acknowledgement).
 *
 * It reads bytes, not the protocol: what it records after a TLS upgrade is
 * ciphertext, which is how a test proves credentials did not travel in clear.
 *
 * @module
 */

/** What the proxy does with an accepted connection. */
export type AcceptPolicy =
  /** Connect to the upstream server and pass bytes both ways. */
  | "forward"
  /** Close the client's connection at once (a transient failure). */
  | "close"
  /** Keep the connection open and never send a byte (a hung server). */
  | "silent";

/** One client connection as the proxy saw it. */
export interface ProxiedConnection {
  /** 1-based, in the order the proxy accepted them. */
  readonly n: number;
  readonly policy: AcceptPolicy;
  /** Everything the client sent, decoded as Latin-1 (NATS protocol lines are ASCII). */
  fromClient: string;
  /** Everything the server sent that the proxy passed on or dropped. */
  fromServer: string;
}

/** How the proxy behaves; the defaults forward everything. */
export interface NatsProxyOptions {
  /** Port of the server on 127.0.0.1; required when any connection is forwarded. */
  upstream?: number;
  /** Chooses per connection (default "forward"). */
  onAccept?: (n: number) => AcceptPolicy;
  /**
   * Sees each server→client chunk before it is passed on: "drop" swallows
   * it and keeps the connection, "cut" swallows it and closes both sides.
   */
  fromServer?: (chunk: string, conn: ProxiedConnection) => "forward" | "drop" | "cut";
}

/** A running proxy; `close()` stops it and every connection it holds. */
export interface NatsProxy {
  /** `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Every accepted connection, in order. */
  readonly connections: ProxiedConnection[];
  /** Every `Nats-Msg-Id` header value clients sent, in order, across connections. */
  msgIds(): string[];
  /** Every CONNECT line clients sent in clear, across connections. */
  connects(): string[];
  close(): Promise<void>;
}

const latin1 = new TextDecoder("latin1");

function closeQuietly(c: Deno.Conn | undefined): void {
  try {
    c?.close();
  } catch { /* already closed */ }
}

/** Starts a proxy on a free loopback port. */
export function startNatsProxy(opts: NatsProxyOptions = {}): NatsProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const connections: ProxiedConnection[] = [];
  const sockets = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let closed = false;

  async function serve(client: Deno.Conn, conn: ProxiedConnection): Promise<void> {
    sockets.add(client);
    if (conn.policy === "close") {
      closeQuietly(client);
      return;
    }
    if (conn.policy === "silent") {
      // Read and keep what the client says; answer nothing.
      const buf = new Uint8Array(16 * 1024);
      try {
        for (let n = await client.read(buf); n !== null; n = await client.read(buf)) {
          conn.fromClient += latin1.decode(buf.subarray(0, n));
        }
      } catch { /* closed */ }
      closeQuietly(client);
      return;
    }
    if (opts.upstream === undefined) throw new Error("forwarding needs an upstream port");
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: opts.upstream });
    } catch {
      closeQuietly(client);
      return;
    }
    sockets.add(server);
    const both = () => {
      closeQuietly(client);
      closeQuietly(server);
    };
    const up = (async () => {
      const buf = new Uint8Array(64 * 1024);
      try {
        for (let n = await client.read(buf); n !== null; n = await client.read(buf)) {
          const chunk = buf.subarray(0, n);
          conn.fromClient += latin1.decode(chunk);
          await writeAll(server, chunk);
        }
      } catch { /* either side closed */ }
      both();
    })();
    const down = (async () => {
      const buf = new Uint8Array(64 * 1024);
      try {
        for (let n = await server.read(buf); n !== null; n = await server.read(buf)) {
          const chunk = buf.subarray(0, n);
          const text = latin1.decode(chunk);
          conn.fromServer += text;
          const verdict = opts.fromServer?.(text, conn) ?? "forward";
          if (verdict === "cut") break;
          if (verdict === "forward") await writeAll(client, chunk);
        }
      } catch { /* either side closed */ }
      both();
    })();
    await Promise.all([up, down]);
  }

  const accepting = (async () => {
    try {
      for await (const client of listener) {
        if (closed) {
          closeQuietly(client);
          continue;
        }
        const n = connections.length + 1;
        const conn: ProxiedConnection = {
          n,
          policy: opts.onAccept?.(n) ?? "forward",
          fromClient: "",
          fromServer: "",
        };
        connections.push(conn);
        tasks.push(serve(client, conn).catch(() => closeQuietly(client)));
      }
    } catch { /* listener closed */ }
  })();

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    connections,
    msgIds: () =>
      connections.flatMap((c) =>
        [...c.fromClient.matchAll(/^Nats-Msg-Id:\s*([^\r\n]*)\r?$/gim)].map((m) => m[1].trim())
      ),
    connects: () =>
      connections.flatMap((c) =>
        [...c.fromClient.matchAll(/^CONNECT [^\r\n]*/gm)].map((m) => m[0])
      ),
    async close() {
      closed = true;
      try {
        listener.close();
      } catch { /* closed */ }
      for (const s of sockets) closeQuietly(s);
      await accepting;
      await Promise.all(tasks);
    },
  };
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}
