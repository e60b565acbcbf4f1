/**
 * `core/nats/publish.ts` against a real `nats-server` on loopback: the
 * JetStream ack path, de-duplication, core publish without a stream, token /
 * nkey / creds-file auth, a server that is down, and one restarted between
 * two publishes.
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import * as jwt from "@nats-io/jwt";
import * as nkeys from "@nats-io/nkeys";
import { NatsPublishError, publishEvent } from "../core/nats/publish.ts";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { maskUrl, parseNatsUrl } from "../core/nats/url.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "./_nats_server.ts";

const SUBJECT = "kaizen.schedule.prepared";
const ignore = !haveNatsServer();
const noEnv = (_: string) => undefined;
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function client(url: string, extra: Record<string, unknown> = {}): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false, ...extra });
}

async function withServer(
  fn: (s: NatsServer) => Promise<void>,
  opts: Parameters<typeof startNatsServer>[0] = {},
): Promise<void> {
  const s = await startNatsServer(opts);
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

async function addStream(url: string): Promise<void> {
  const nc = await client(url);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "KAIZEN", subjects: ["kaizen.>"], duplicate_window: 60e9 });
  await nc.close();
}

async function storedMessages(url: string): Promise<unknown[]> {
  const nc = await client(url);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info("KAIZEN");
  const out: unknown[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages; seq++) {
    out.push((await jsm.streams.getMessage("KAIZEN", { seq }))?.json());
  }
  await nc.close();
  return out;
}

Deno.test({
  name:
    "nats: a stream captures the subject → acked JetStream publish; the same msgId is stored once",
  ignore,
  fn: () =>
    withServer(async (s) => {
      await addStream(s.url);
      const payload = { event: SUBJECT, n: 1 };
      const opts = { url: s.url, subject: SUBJECT, msgId: "m-1", env: noEnv, timeoutMs: 5_000 };
      const first = await publishEvent(bytes(payload), opts);
      assert.equal(first.mode, "jetstream");
      if (first.mode === "jetstream") {
        assert.equal(first.stream, "KAIZEN");
        assert.equal(first.duplicate, false);
      }
      const again = await publishEvent(bytes(payload), opts);
      assert.equal(again.mode === "jetstream" && again.duplicate, true);
      await publishEvent(bytes({ ...payload, n: 2 }), { ...opts, msgId: "m-2" });
      assert.deepEqual(await storedMessages(s.url), [payload, { ...payload, n: 2 }]);
    }),
});

Deno.test({
  name: "nats: no stream → core publish that a subscriber receives",
  ignore,
  fn: () =>
    withServer(async (s) => {
      const nc = await client(s.url);
      const sub = nc.subscribe(SUBJECT, { max: 1 });
      await nc.flush();
      const r = await publishEvent(bytes({ hello: "world" }), {
        url: s.url,
        subject: SUBJECT,
        msgId: "x",
        env: noEnv,
      });
      assert.deepEqual(r, { mode: "core", attempts: 1 });
      for await (const m of sub) assert.deepEqual(m.json(), { hello: "world" });
      await nc.close();
    }, { jetstream: false }),
});

Deno.test({
  name: "nats: a server that is down fails with one line, within the timeout",
  ignore,
  fn: async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const started = Date.now();
    await assert.rejects(
      publishEvent(bytes({}), {
        url: `nats://someone:hunter2@127.0.0.1:${port}`,
        subject: SUBJECT,
        msgId: "x",
        env: noEnv,
        timeoutMs: 3_000,
      }),
      (err: Error) => {
        assert.ok(err instanceof NatsPublishError);
        assert.match(err.message, /^cannot connect to nats:\/\/someone:\*\*\*@127\.0\.0\.1:\d+/);
        assert.doesNotMatch(err.message, /hunter2|\n/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5_000, "bounded by the timeout");
  },
});

Deno.test({
  name: "nats: a server that accepts but never speaks is bounded by the timeout",
  ignore,
  fn: async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const c of l) held.push(c);
    })();
    const started = Date.now();
    await assert.rejects(
      publishEvent(bytes({}), {
        url: `nats://127.0.0.1:${(l.addr as Deno.NetAddr).port}`,
        subject: SUBJECT,
        msgId: "x",
        env: noEnv,
        timeoutMs: 1_500,
      }),
      NatsPublishError,
    );
    assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
    l.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
  },
});

Deno.test({
  name: "nats: restarted between two publishes, the second one lands",
  ignore,
  fn: async () => {
    let s = await startNatsServer();
    try {
      await addStream(s.url);
      const opts = { url: s.url, subject: SUBJECT, env: noEnv, timeoutMs: 5_000 };
      await publishEvent(bytes({ n: 1 }), { ...opts, msgId: "a" });
      s = await s.restart();
      const r = await publishEvent(bytes({ n: 2 }), { ...opts, msgId: "b" });
      assert.equal(r.mode, "jetstream");
      assert.deepEqual(await storedMessages(s.url), [{ n: 1 }, { n: 2 }]);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "nats: token auth from NATS_TOKEN; without it, a one-line refusal that names the variables",
  ignore,
  fn: async () => {
    const token = "t0ken" + crypto.randomUUID().replaceAll("-", "");
    await withServer(async (s) => {
      const env = (k: string) => (k === "NATS_TOKEN" ? token : undefined);
      const r = await publishEvent(bytes({}), { url: s.url, subject: SUBJECT, msgId: "x", env });
      assert.equal(r.mode, "core");
      await assert.rejects(
        publishEvent(bytes({}), { url: s.url, subject: SUBJECT, msgId: "x", env: noEnv }),
        (err: Error) => {
          assert.match(
            err.message,
            /refused the credentials \(check NATS_CREDS, NATS_NKEY, NATS_TOKEN/,
          );
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
      );
      // A wrong token in the URL is refused and never shown.
      await assert.rejects(
        publishEvent(bytes({}), {
          url: `nats://wrong${token}@127.0.0.1:${s.port}`,
          subject: SUBJECT,
          msgId: "x",
          env: noEnv,
        }),
        (err: Error) => !err.message.includes(token),
      );
    }, { jetstream: false, extraConfig: `authorization { token: "${token}" }` });
  },
});

Deno.test({
  name: "nats: user/password in the URL; nkey seed from NATS_NKEY",
  ignore,
  fn: async () => {
    const user = nkeys.createUser();
    const pub = user.getPublicKey();
    const seed = new TextDecoder().decode(user.getSeed());
    await withServer(async (s) => {
      const env = (k: string) => (k === "NATS_NKEY" ? seed : undefined);
      const r = await publishEvent(bytes({}), { url: s.url, subject: SUBJECT, msgId: "x", env });
      assert.equal(r.mode, "core");
      const pw = await publishEvent(bytes({}), {
        url: `nats://kaizen:p%40ss@127.0.0.1:${s.port}`,
        subject: SUBJECT,
        msgId: "x",
        env: noEnv,
      });
      assert.equal(pw.mode, "core");
    }, {
      jetstream: false,
      extraConfig:
        `authorization { users: [ { nkey: ${pub} }, { user: kaizen, password: "p@ss" } ] }`,
    });
  },
});

Deno.test({
  name: "nats: a .creds file (user JWT + seed) from NATS_CREDS, against an operator-mode server",
  ignore,
  fn: async () => {
    const operator = nkeys.createOperator();
    const account = nkeys.createAccount();
    const user = nkeys.createUser();
    const opJwt = await jwt.encodeOperator("kaizen-test-op", operator);
    // The default account limits allow no connections.
    const accJwt = await jwt.encodeAccount("kaizen-test-acc", account, {
      limits: {
        conn: -1,
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        leaf: -1,
        wildcards: true,
      },
    }, { signer: operator });
    const userJwt = await jwt.encodeUser("kaizen-test-user", user, account);
    const dir = await Deno.makeTempDir({ prefix: "kaizen-creds-" });
    const creds = `${dir}/user.creds`;
    await Deno.writeFile(creds, jwt.fmtCreds(userJwt, user));
    try {
      await withServer(async (s) => {
        const env = (k: string) => (k === "NATS_CREDS" ? creds : undefined);
        const r = await publishEvent(bytes({}), { url: s.url, subject: SUBJECT, msgId: "x", env });
        assert.equal(r.mode, "core");
        const missing = (k: string) => (k === "NATS_CREDS" ? `${dir}/nope.creds` : undefined);
        await assert.rejects(
          publishEvent(bytes({}), { url: s.url, subject: SUBJECT, msgId: "x", env: missing }),
          /NATS_CREDS '.*nope\.creds' cannot be read/,
        );
      }, {
        jetstream: false,
        extraConfig: [
          `operator: ${opJwt}`,
          "resolver: MEMORY",
          `resolver_preload: { ${account.getPublicKey()}: ${accJwt} }`,
        ].join("\n"),
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("nats URLs: credentials split off and masked", () => {
  assert.deepEqual(parseNatsUrl("nats://u:p%40ss@h:4333"), {
    server: "h:4333",
    user: "u",
    pass: "p@ss",
    tls: false,
  });
  assert.deepEqual(parseNatsUrl("nats://tok@h"), { server: "h:4222", token: "tok", tls: false });
  assert.deepEqual(parseNatsUrl("127.0.0.1:4000"), { server: "127.0.0.1:4000", tls: false });
  assert.equal(parseNatsUrl("tls://h:1").tls, true);
  assert.throws(() => parseNatsUrl("http://h"), /is not a NATS URL/);
  assert.throws(
    () => parseNatsUrl("nats://u:secret@h/x"),
    (e: Error) => !e.message.includes("secret"),
  );
  assert.equal(maskUrl("nats://u:secret@h:1"), "nats://u:***@h:1");
  assert.equal(maskUrl("nats://tok@h"), "nats://***@h");
  assert.equal(maskUrl("nats://h:1"), "nats://h:1");
});

Deno.test("nats: a server that floods bytes without an INFO line is refused quickly, bounded in memory", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const c of l) {
      conns.push(c);
      const junk = new Uint8Array(64 * 1024).fill(65);
      (async () => {
        try {
          for (let i = 0; i < 200; i++) await c.write(junk);
        } catch { /* client went away */ }
      })();
    }
  })();
  const started = Date.now();
  await assert.rejects(
    publishEvent(bytes({}), {
      url: `nats://127.0.0.1:${(l.addr as Deno.NetAddr).port}`,
      subject: SUBJECT,
      msgId: "x",
      env: noEnv,
      timeoutMs: 5_000,
      attempts: 1,
    }),
    (err: Error) => /did not answer like a NATS server/.test(err.message),
  );
  assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
  l.close();
  for (const c of conns) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  await serving.catch(() => {});
});
