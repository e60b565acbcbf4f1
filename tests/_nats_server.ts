/**
 * Starts a real `nats-server` (Debian's package) for a test: loopback, a free
 * port, JetStream with a temporary store, an optional extra config block.
 * Every server stops by itself when the test calls `stop()`, and is killed
 * if the test process ends first.
 */

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its store unless `keepStore`. */
  stop(keepStore?: boolean): Promise<void>;
  /** Starts the same server again (same port, same store). */
  restart(): Promise<NatsServer>;
}

/** True when `nats-server` is on PATH. */
export function haveNatsServer(): boolean {
  try {
    return new Deno.Command("nats-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(port: number, child: Deno.ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  throw new Error(`nats-server did not listen on ${port} within ${ms} ms`);
}

/** Starts `nats-server -js` with `extraConfig` (NATS config syntax) appended. */
export async function startNatsServer(
  opts: { extraConfig?: string; jetstream?: boolean; port?: number; store?: string } = {},
): Promise<NatsServer> {
  const port = opts.port ?? freePort();
  const store = opts.store ?? await Deno.makeTempDir({ prefix: "kaizen-nats-" });
  const conf = `${store}.conf`;
  await Deno.writeTextFile(
    conf,
    [
      `listen: 127.0.0.1:${port}`,
      opts.jetstream === false ? "" : `jetstream { store_dir: "${store}" }`,
      opts.extraConfig ?? "",
    ].join("\n"),
  );
  const child = new Deno.Command("nats-server", {
    args: ["-c", conf],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port, child, 10_000);
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop(keepStore = false) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 3_000);
      await child.status;
      clearTimeout(timer);
      if (!keepStore) {
        await Deno.remove(store, { recursive: true }).catch(() => {});
        await Deno.remove(conf).catch(() => {});
      }
    },
    async restart() {
      await server.stop(true);
      return await startNatsServer({ ...opts, port, store });
    },
  };
  return server;
}
