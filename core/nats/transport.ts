/**
 * A NATS transport over Deno's own TCP/TLS sockets for the official
 * `@nats-io/nats-core` client.
 *
 * nats-core speaks the protocol and leaves the socket to a pluggable
 * transport. The project's Deno transport is published on JSR only, which our
 * machines cannot reach; the Node transport works under Deno but loads the
 * Node compatibility layer (about +65 ms of start-up, measured). This file is
 * the small piece in between: connect, upgrade to TLS when the server asks,
 * read frames, write frames in order, close.
 *
 * @module
 */
import {
  checkOptions,
  checkUnsupportedOption,
  DataBuffer,
  deferred,
  Empty,
  extractProtocolMessage,
  INFO,
} from "@nats-io/nats-core/internal";
import type {
  ConnectionOptions,
  Deferred,
  Server,
  ServerInfo,
  Transport,
} from "@nats-io/nats-core/internal";

const READ_BUFFER = 256 * 1024;
/** A NATS INFO line is a few hundred bytes; anything past this is not a NATS server. */
const MAX_INFO_BYTES = 64 * 1024;

type Conn = Deno.TcpConn | Deno.TlsConn;

async function writeAll(conn: Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** One connection to one server; nats-core makes a new one per (re)connect. */
export class DenoTcpTransport implements Transport {
  readonly lang = "kaizen.deno";
  readonly version = "1";
  closeError?: Error;
  private options: ConnectionOptions = {};
  private conn?: Conn;
  private buf: Uint8Array = new Uint8Array(READ_BUFFER);
  private encrypted = false;
  private done = false;
  private readonly closedNotification: Deferred<void | Error> = deferred();
  private readonly frames: Uint8Array[] = [];
  private pendingWrite: Promise<void> | null = null;

  async connect(server: Server, options: ConnectionOptions): Promise<void> {
    this.options = options;
    const handshakeFirst = options.tls?.handshakeFirst === true;
    try {
      if (handshakeFirst) {
        this.conn = await Deno.connectTls({
          hostname: server.hostname,
          port: server.port,
          ...(await this.tlsOptions()),
        });
        this.encrypted = true;
      } else {
        this.conn = await Deno.connect({ hostname: server.hostname, port: server.port });
      }
      const info = await this.peekInfo();
      checkOptions(info, options);
      const wantTls = info.tls_required === true ||
        (info.tls_available === true && options.tls !== null && options.tls !== undefined);
      if (!handshakeFirst && wantTls) {
        this.conn = await Deno.startTls(this.conn as Deno.TcpConn, {
          hostname: server.tlsName || server.hostname,
          ...(await this.tlsOptions()),
        });
        // startTls does not verify the peer until the first write.
        await this.conn.write(Empty);
        this.encrypted = true;
      }
    } catch (err) {
      try {
        this.conn?.close();
      } catch { /* already closed */ }
      throw err;
    }
  }

  private async tlsOptions(): Promise<{ caCerts?: string[] }> {
    const tls = this.options.tls ?? {};
    // Deno takes CA certificates only; client certificates are not supported here.
    checkUnsupportedOption("tls.ca", tls.ca);
    checkUnsupportedOption("tls.cert", tls.cert);
    checkUnsupportedOption("tls.certFile", tls.certFile);
    checkUnsupportedOption("tls.key", tls.key);
    checkUnsupportedOption("tls.keyFile", tls.keyFile);
    return tls.caFile ? { caCerts: [await Deno.readTextFile(tls.caFile)] } : {};
  }

  /** Reads until the server's INFO line; keeps the bytes for the client to parse again. */
  private async peekInfo(): Promise<ServerInfo> {
    const inbound = new DataBuffer();
    let line = "";
    let received = 0;
    while (line === "") {
      const n = await this.conn!.read(this.buf);
      if (n === null) throw new Error("connection closed before the server said hello");
      // A server that never ends its first line must not fill our memory.
      if ((received += n) > MAX_INFO_BYTES) {
        throw new Error("the server did not answer like a NATS server (no INFO line)");
      }
      inbound.fill(this.buf.subarray(0, n));
      line = extractProtocolMessage(inbound.peek());
    }
    this.buf = new Uint8Array(inbound.drain());
    const m = INFO.exec(line);
    if (!m) throw new Error("the server did not answer like a NATS server");
    return JSON.parse(m[1]) as ServerInfo;
  }

  get isClosed(): boolean {
    return this.done;
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    let reason: Error | undefined;
    yield this.buf;
    while (!this.done) {
      try {
        const buf = new Uint8Array(READ_BUFFER);
        const n = await this.conn!.read(buf);
        if (n === null) break;
        if (n > 0) yield buf.subarray(0, n);
      } catch (err) {
        reason = err as Error;
        break;
      }
    }
    this.finish(reason).catch(() => {});
  }

  private writeNext(): void {
    if (this.pendingWrite) return;
    const frame = this.frames.shift();
    if (!frame || !this.conn) return;
    this.pendingWrite = writeAll(this.conn, frame)
      .catch(() => {/* the read side reports the broken connection */})
      .finally(() => {
        this.pendingWrite = null;
        this.writeNext();
      });
  }

  send(frame: Uint8Array): void {
    if (this.done) return;
    this.frames.push(frame);
    this.writeNext();
  }

  isEncrypted(): boolean {
    return this.encrypted;
  }

  close(err?: Error): Promise<void> {
    return this.finish(err, false);
  }

  disconnect(): void {
    this.finish(undefined, true).catch(() => {});
  }

  private async finish(err?: Error, internal = true): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.closeError = err;
    if (!err && internal) {
      // Let queued frames go out before the socket closes.
      while (this.pendingWrite) await this.pendingWrite;
    }
    try {
      this.conn?.close();
    } catch { /* already closed */ }
    if (internal) this.closedNotification.resolve(err);
  }

  closed(): Promise<void | Error> {
    return this.closedNotification;
  }

  discard(): void {
    // Nothing buffered beyond the frame queue; no throttling to undo.
  }
}
