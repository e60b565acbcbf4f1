/**
 * Helpers for the doctor network tests: an in-test HTTP server that records
 * what it receives and can hang until the test ends, a port nobody listens
 * on, and raw TCP listeners that accept and then stay silent or speak
 * something that is not NATS. Everything closes when the test's `finally`
 * calls `close()`.
 */
import assert from "node:assert/strict";
import type { DoctorReport } from "../core/doctor/model.ts";
import { type DoctorBaseContext, runDoctor } from "../core/doctor/run.ts";
import type { Probe } from "../core/doctor/model.ts";

/** One request as the in-test server saw it. */
export interface Seen {
  method: string;
  path: string;
  query: string;
  authorization: string | null;
  userAgent: string | null;
}

export interface HttpServer {
  url: string;
  seen: Seen[];
  /** Resolves a pending {@link HttpTools.hang}; done by `close()` too. */
  close(): Promise<void>;
}

export interface HttpTools {
  /** Never answers until the test ends (the client gives up long before). */
  hang(): Promise<Response>;
}

/** An HTTP server on 127.0.0.1, a free port, answering with `handler`. */
export function startHttp(
  handler: (req: Request, url: URL, tools: HttpTools) => Response | Promise<Response>,
): HttpServer {
  const release = Promise.withResolvers<void>();
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname,
      query: url.search,
      authorization: req.headers.get("authorization"),
      userAgent: req.headers.get("user-agent"),
    });
    await req.body?.cancel();
    return await handler(req, url, {
      hang: async () => {
        await release.promise;
        return new Response("too late", { status: 503 });
      },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    async close() {
      release.resolve();
      await server.shutdown();
    },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A loopback port with nothing listening on it. */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export interface TcpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP listener that accepts connections and writes `greeting` (if any),
 * then never says more. Every accepted connection is closed by `close()`.
 */
export function startTcp(greeting?: string): TcpListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        if (greeting) await conn.write(new TextEncoder().encode(greeting)).catch(() => {});
      }
    } catch { /* listener closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await loop;
      for (const c of conns) {
        try {
          c.close();
        } catch { /* the client closed it */ }
      }
    },
  };
}

/** A doctor context for the network probes: no target unless given, env from a record. */
export function doctorContext(
  over: Partial<DoctorBaseContext> = {},
  env: Record<string, string> = {},
): DoctorBaseContext {
  return {
    host: "runner-1",
    offline: false,
    now: new Date("2026-11-23T08:00:00Z"),
    env: (name) => env[name],
    ...over,
  };
}

/** One expected check: its id and status, and patterns for the fix (null: none) and detail. */
export type Expected = [id: string, status: string, fix: RegExp | null, detail?: RegExp];

/**
 * Runs `probe` alone with NO secrets handed to the runner, so nothing is
 * scrubbed for it: every credential in `secrets` must be absent from the
 * report because the probe itself never printed it. Then checks the
 * report's checks, in order, against `expected`.
 */
export async function expectChecks(
  probe: Probe,
  base: DoctorBaseContext,
  expected: Expected[],
  secrets: string[] = [],
): Promise<DoctorReport> {
  const report = await runDoctor([probe], base);
  const text = JSON.stringify(report);
  for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked into ${text}`);
  const got = report.checks.map((c) => `${c.id} ${c.status}`);
  assert.deepEqual(got, expected.map(([id, status]) => `${id} ${status}`), text);
  expected.forEach(([, , fix, detail], i) => {
    const check = report.checks[i];
    if (fix === null) assert.equal(check.fix, null, `${check.id}: ${check.fix}`);
    else assert.match(check.fix ?? "", fix, `${check.id} fix`);
    if (detail) assert.match(check.detail, detail, `${check.id} detail`);
  });
  return report;
}
