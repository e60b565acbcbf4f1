/**
 * Pins the NATS delivery guarantees operators rely on (issue 16), through
 * the real CLI (source and bundle) against a real `nats-server` on loopback,
 * with a misbehaving proxy in between where a fault is needed:
 *
 * - a retried publish carries the same `Nats-Msg-Id` and is stored once;
 * - refused credentials fail at once, without a retry;
 * - a server that requires TLS never sees credentials in clear;
 * - a core (no stream) publish reaches a subscriber before the process exits;
 * - an nkey seed with a trailing newline still authenticates;
 * - a transient failure is retried without any flag;
 * - a hung server ends at the sink's deadline with one line and exit 1;
 * - token auth works and the token is never printed.
 *
 * Every child process is bounded (killed after {@link CHILD_BOUND_MS}); no
 * assertion is about timing.
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import * as nkeys from "@nats-io/nkeys";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT } from "./_cli.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "./_nats_server.ts";
import { type NatsProxy, type NatsProxyOptions, startNatsProxy } from "./_nats_proxy.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";
const SUBJECT = "kaizen.schedule.prepared";
const ignore = !haveNatsServer();
/** A generous bound for one CLI run; far above any deadline the CLI sets itself. */
const CHILD_BOUND_MS = 60_000;
// Nothing from the machine running the tests may take part.
const CLEAN_ENV = {
  NATS_URL: "",
  NATS_CREDS: "",
  NATS_NKEY: "",
  NATS_TOKEN: "",
  ARTIFACTSTORE_API_URL: "",
  ARTIFACTSTORE_API_TOKEN: "",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI like `runCli`, but killed if it outlives {@link CHILD_BOUND_MS}. */
async function kaizen(
  entry: CliEntry,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const [cmd, ...rest] = entry.argv;
  const out = await new Deno.Command(cmd, {
    args: [...rest, ...args],
    env: {
      NO_COLOR: "1",
      XDG_CONFIG_HOME: EMPTY_CONFIG_HOME,
      KAIZEN_REPO: "",
      ...CLEAN_ENV,
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_BOUND_MS),
  }).output();
  const dec = new TextDecoder();
  const r = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  assert.equal(out.signal, null, `the CLI hung and was killed after ${CHILD_BOUND_MS} ms`);
  return r;
}

function prepare(entry: CliEntry, args: string[], env: Record<string, string> = {}) {
  return kaizen(
    entry,
    ["schedule", "prepare", "coach", "--now", NOW, "--target", PILOT, ...args],
    env,
  );
}

async function client(url: string, extra: Record<string, unknown> = {}): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false, ...extra });
}

/** A server (with a `KAIZEN` stream on `kaizen.>` unless `stream` is false) and a proxy in front. */
async function withServerAndProxy(
  fn: (s: NatsServer, p: NatsProxy) => Promise<void>,
  opts: {
    stream?: boolean;
    server?: Parameters<typeof startNatsServer>[0];
    proxy?: Omit<NatsProxyOptions, "upstream">;
    streamClient?: Record<string, unknown>;
  } = {},
): Promise<void> {
  const s = await startNatsServer(opts.server);
  let p: NatsProxy | undefined;
  try {
    if (opts.stream !== false) {
      const nc = await client(s.url, opts.streamClient);
      await (await jetstreamManager(nc)).streams.add({
        name: "KAIZEN",
        subjects: ["kaizen.>"],
        duplicate_window: 120e9,
      });
      await nc.close();
    }
    p = startNatsProxy({ ...opts.proxy, upstream: s.port });
    await fn(s, p);
  } finally {
    await p?.close();
    await s.stop();
  }
}

/** The messages the `KAIZEN` stream holds, read straight from the server. */
async function stored(
  url: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string | undefined; data: Record<string, unknown> }[]> {
  const nc = await client(url, extra);
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info("KAIZEN");
    const out: { id: string | undefined; data: Record<string, unknown> }[] = [];
    for (
      let seq = info.state.first_seq;
      info.state.messages > 0 && seq <= info.state.last_seq;
      seq++
    ) {
      const m = await jsm.streams.getMessage("KAIZEN", { seq });
      if (m) out.push({ id: m.header?.get("Nats-Msg-Id"), data: m.json() });
    }
    return out;
  } finally {
    await nc.close();
  }
}

function oneLine(text: string): void {
  assert.ok(!text.includes("    at "), `a stack trace:\n${text}`);
}

/** Cuts the connection instead of passing on the first JetStream acknowledgement. */
function withholdFirstAck(): {
  proxy: Omit<NatsProxyOptions, "upstream">;
  withheld: () => boolean;
} {
  let withheld = false;
  return {
    withheld: () => withheld,
    proxy: {
      fromServer: (chunk, conn) => {
        if (withheld || !/Nats-Msg-Id/i.test(conn.fromClient) || !chunk.includes('"seq"')) {
          return "forward";
        }
        withheld = true;
        return "cut";
      },
    },
  };
}

async function copyTree(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await Deno.mkdir(`${to}/${entry.name}`);
      await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    } else if (entry.isFile) {
      await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
    }
  }
}

// 1 ---------------------------------------------------------------------------

cliTest(
  "pin nats: an unacknowledged publish is retried with the same Nats-Msg-Id and stored once",
  async (e) => {
    if (ignore) return;
    // The first JetStream acknowledgement ({"stream":…,"seq":…}) never reaches
    // the client: the server stored the event, the client cannot know it.
    const fault = withholdFirstAck();
    await withServerAndProxy(async (s, p) => {
      const r = await prepare(e, ["--sink", "nats", "--nats-url", p.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fault.withheld(), "the proxy never saw an acknowledgement to withhold");
      const ids = p.msgIds();
      assert.equal(ids.length, 2, `one publish per attempt: ${JSON.stringify(ids)}`);
      assert.match(ids[0], /^[0-9a-f]{40}$/);
      assert.equal(ids[1], ids[0], "the retry carried another Nats-Msg-Id");
      const messages = await stored(s.url);
      assert.equal(messages.length, 1, "the retried publish was stored twice");
      assert.equal(messages[0].id, ids[0]);
      assert.equal(messages[0].data.agent, "coach");
      assert.match(r.stderr, /sink 'nats': duplicate: already in stream KAIZEN \(seq 1\)/);
    }, { proxy: fault.proxy });
  },
);

cliTest(
  "pin nats: metrics record and agents install retry an unacknowledged publish with the same id",
  async (e) => {
    if (ignore) return;
    const repo = await Deno.makeTempDir({ prefix: "kaizen-pin-" });
    try {
      await copyTree(PILOT, repo);
      const commands: Array<{ args: string[]; subject: string; env?: Record<string, string> }> = [
        {
          args: [
            "metrics",
            "record",
            "coach",
            "--target",
            repo,
            "--success",
            "--time",
            "60",
            "--quality",
            "0.5",
          ],
          subject: "kaizen.metrics.recorded",
        },
        {
          args: ["agents", "install", "coach", "--target", repo, "--force"],
          subject: "kaizen.agent.installed",
          env: { KAIZEN_REPO: "acme/widgets" },
        },
      ];
      for (const c of commands) {
        const fault = withholdFirstAck();
        await withServerAndProxy(async (s, p) => {
          const r = await kaizen(e, [
            ...c.args,
            "--now",
            NOW,
            "--sink",
            "nats",
            "--nats-url",
            p.url,
          ], c.env);
          assert.equal(r.code, 0, r.stderr);
          assert.ok(fault.withheld(), `${c.args[0]}: no acknowledgement was withheld`);
          const ids = p.msgIds();
          assert.equal(ids.length, 2, `${c.args[0]}: ${JSON.stringify(ids)}`);
          assert.equal(ids[1], ids[0], `${c.args[0]}: the retry carried another Nats-Msg-Id`);
          const messages = await stored(s.url);
          assert.equal(messages.length, 1, `${c.args[0]}: the retried publish was stored twice`);
          assert.equal(messages[0].data.event, c.subject);
        }, { proxy: fault.proxy });
      }
    } finally {
      await Deno.remove(repo, { recursive: true });
    }
  },
);

// 2 ---------------------------------------------------------------------------

cliTest(
  "pin nats: refused credentials fail at once, one connection, no retry, nothing secret shown",
  async (e) => {
    if (ignore) return;
    const password = `pw-${crypto.randomUUID()}`;
    const configured = nkeys.createUser().getPublicKey();
    const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
    const cases: Array<
      { what: string; url: (p: NatsProxy) => string; env: Record<string, string> }
    > = [
      {
        what: "a wrong password in the URL",
        url: (p) => `nats://kaizen:wrong-${password}@127.0.0.1:${p.port}`,
        env: {},
      },
      {
        what: "an nkey the server does not know",
        url: (p) => p.url,
        env: { NATS_NKEY: stranger },
      },
    ];
    for (const c of cases) {
      await withServerAndProxy(async (_s, p) => {
        const r = await prepare(e, ["--sink", "nats", "--nats-url", c.url(p)], c.env);
        assert.equal(r.code, 1, `${c.what}: ${r.stderr}`);
        oneLine(r.stderr);
        assert.match(
          r.stderr,
          /^kaizen: error: plugin 'builtin', sink 'nats' failed: nats:\/\/.*refused the credentials \(check NATS_CREDS, NATS_NKEY, NATS_TOKEN or the URL's user\)\n$/,
          c.what,
        );
        assert.equal(p.connections.length, 1, `${c.what}: refused credentials were retried`);
        assert.equal(p.connects().length, 1, c.what);
        assert.ok(!r.stderr.includes(password), `${c.what}: the password was printed`);
        assert.ok(!r.stderr.includes(stranger), `${c.what}: the seed was printed`);
      }, {
        stream: false,
        server: {
          jetstream: false,
          extraConfig:
            `authorization { users: [ { user: kaizen, password: "${password}" }, { nkey: ${configured} } ] }`,
        },
      });
    }
  },
);

// 3 ---------------------------------------------------------------------------

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const run = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(CHILD_BOUND_MS),
    }).output();
    assert.ok(out.success, `openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  };
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=kaizen test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "server.pem",
  ]);
  return { ca: `${dir}/ca.pem`, cert: `${dir}/server.pem`, key: `${dir}/server.key` };
}

function haveOpenssl(): boolean {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

cliTest(
  "pin nats: a server that requires TLS is never sent credentials in clear over a nats:// URL",
  async (e) => {
    if (ignore || !haveOpenssl()) return;
    const dir = await Deno.makeTempDir({ prefix: "kaizen-tls-" });
    try {
      const tls = await makeCertificates(dir);
      const password = `pw-${crypto.randomUUID()}`;
      await withServerAndProxy(async (_s, p) => {
        const url = `nats://kaizen:${password}@127.0.0.1:${p.port}`;
        const sentInClear = () => p.connections.map((c) => c.fromClient).join("");

        // The certificate's issuer is unknown to the client: no connection, one line.
        const untrusted = await prepare(e, ["--sink", "nats", "--nats-url", url]);
        assert.equal(untrusted.code, 1, untrusted.stderr);
        oneLine(untrusted.stderr);
        assert.match(
          untrusted.stderr,
          /^kaizen: error: plugin 'builtin', sink 'nats' failed: .+\n$/,
        );
        assert.ok(!untrusted.stderr.includes(password), "the password was printed");
        assert.ok(p.connections.length >= 1, "the client never reached the proxy");
        assert.deepEqual(p.connects(), [], "a CONNECT went out in clear");
        assert.ok(!sentInClear().includes(password), "the password went out in clear");

        // Trusting the CA (DENO_CERT), the same nats:// URL is upgraded and works.
        const before = p.connections.length;
        const trusted = await prepare(e, ["--sink", "nats", "--nats-url", url], {
          DENO_CERT: tls.ca,
        });
        assert.equal(trusted.code, 0, trusted.stderr);
        assert.match(trusted.stderr, /sink 'nats': published to kaizen\.schedule\.prepared/);
        assert.ok(p.connections.length > before);
        // And so does a tls:// URL.
        const tlsUrl = await prepare(e, [
          "--sink",
          "nats",
          "--nats-url",
          `tls://kaizen:${password}@127.0.0.1:${p.port}`,
        ], { DENO_CERT: tls.ca });
        assert.equal(tlsUrl.code, 0, tlsUrl.stderr);
        assert.deepEqual(p.connects(), [], "a CONNECT went out in clear");
        assert.ok(!sentInClear().includes(password), "the password went out in clear");
      }, {
        stream: false,
        server: {
          jetstream: false,
          extraConfig: [
            `tls { cert_file: "${tls.cert}", key_file: "${tls.key}", timeout: 5 }`,
            `authorization { user: kaizen, password: "${password}" }`,
          ].join("\n"),
        },
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

cliTest(
  "pin nats: a tls:// URL never falls back to plaintext, even when the server would allow it",
  async (e) => {
    if (ignore) return;
    const password = `pw-${crypto.randomUUID()}`;
    await withServerAndProxy(async (_s, p) => {
      const r = await prepare(e, [
        "--sink",
        "nats",
        "--nats-url",
        `tls://kaizen:${password}@127.0.0.1:${p.port}`,
      ]);
      assert.equal(r.code, 1, r.stderr);
      oneLine(r.stderr);
      assert.match(r.stderr, /^kaizen: error: plugin 'builtin', sink 'nats' failed: .*tls/);
      assert.ok(!r.stderr.includes(password), "the password was printed");
      assert.deepEqual(p.connects(), [], "a CONNECT went out in clear");
      const sent = p.connections.map((c) => c.fromClient).join("");
      assert.ok(!sent.includes(password), "the password went out in clear");
    }, {
      stream: false,
      server: {
        jetstream: false,
        extraConfig: `authorization { user: kaizen, password: "${password}" }`,
      },
    });
  },
);

// 4 ---------------------------------------------------------------------------

/** Collects up to `max` messages on `subject`; gives up (without failing) after `ms`. */
function collect(nc: NatsConnection, subject: string, max = 1, ms = 30_000): Promise<unknown[]> {
  const sub = nc.subscribe(subject, { max });
  const timer = setTimeout(() => sub.unsubscribe(), ms);
  return (async () => {
    const got: unknown[] = [];
    for await (const m of sub) got.push(m.json());
    clearTimeout(timer);
    return got;
  })();
}

cliTest(
  "pin nats: a core publish (no JetStream) reaches a subscriber before the CLI exits",
  async (e) => {
    if (ignore) return;
    const s = await startNatsServer({ jetstream: false });
    const repo = await Deno.makeTempDir({ prefix: "kaizen-pin-" });
    const nc = await client(s.url);
    try {
      await copyTree(PILOT, repo);
      // prepare → kaizen.schedule.prepared, through a proxy that records the wire
      const prepared = collect(nc, SUBJECT);
      await nc.flush();
      const p = startNatsProxy({ upstream: s.port });
      let wire: string;
      try {
        const r = await prepare(e, ["--sink", "nats", "--nats-url", p.url]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /sink 'nats': published to .*\(no stream: not persisted\)/);
        wire = p.connections.map((c) => c.fromClient).join("");
      } finally {
        await p.close();
      }
      const events = await prepared;
      assert.equal(events.length, 1, "the event was lost");
      assert.equal((events[0] as { agent: string }).agent, "coach");
      // Flushed: after the PUB the client asked for a PONG (PING) before it hung up.
      const pub = wire.search(/^PUB kaizen\.schedule\.prepared /m);
      assert.ok(pub >= 0, "no PUB on the wire");
      assert.match(wire.slice(pub), /\r\nPING\r\n/, "the publish was not flushed");

      // metrics record → kaizen.metrics.recorded
      const recorded = collect(nc, "kaizen.metrics.recorded");
      await nc.flush();
      const m = await kaizen(e, [
        "metrics",
        "record",
        "coach",
        "--target",
        repo,
        "--success",
        "--time",
        "60",
        "--quality",
        "0.5",
        "--now",
        NOW,
        "--sink",
        "nats",
        "--nats-url",
        s.url,
      ]);
      assert.equal(m.code, 0, m.stderr);
      assert.equal((await recorded).length, 1, "the metrics event was lost");

      // agents install → kaizen.agent.installed
      const installed = collect(nc, "kaizen.agent.installed");
      await nc.flush();
      const a = await kaizen(e, [
        "agents",
        "install",
        "coach",
        "--target",
        repo,
        "--force",
        "--now",
        NOW,
        "--sink",
        "nats",
        "--nats-url",
        s.url,
      ], { KAIZEN_REPO: "acme/widgets" });
      assert.equal(a.code, 0, a.stderr);
      assert.equal((await installed).length, 1, "the install event was lost");
    } finally {
      await nc.close();
      await s.stop();
      await Deno.remove(repo, { recursive: true });
    }
  },
);

// 5 ---------------------------------------------------------------------------

cliTest(
  "pin nats: an nkey seed with a trailing newline (as read from a file) still authenticates",
  async (e) => {
    if (ignore) return;
    const user = nkeys.createUser();
    const dir = await Deno.makeTempDir({ prefix: "kaizen-nkey-" });
    try {
      const file = `${dir}/user.nk`;
      await Deno.writeFile(file, new Uint8Array([...user.getSeed(), 0x0a]));
      const seed = await Deno.readTextFile(file);
      assert.ok(seed.endsWith("\n"));
      await withServerAndProxy(async (_s, p) => {
        const r = await prepare(e, ["--sink", "nats", "--nats-url", p.url], { NATS_NKEY: seed });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /sink 'nats': published to kaizen\.schedule\.prepared/);
        assert.match(p.connects()[0] ?? "", /"nkey":"U[A-Z2-7]+"/);
        assert.ok(!r.stderr.includes(seed.trim()));
      }, {
        stream: false,
        server: {
          jetstream: false,
          extraConfig: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
        },
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

// 6 ---------------------------------------------------------------------------

cliTest(
  "pin nats: a connection dropped on the first attempt is retried by default (no flag)",
  async (e) => {
    if (ignore) return;
    await withServerAndProxy(async (s, p) => {
      const r = await prepare(e, ["--sink", "nats", "--nats-url", p.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /sink 'nats': stored in stream KAIZEN as seq 1/);
      assert.equal(p.connections.length, 2, "one dropped attempt, one that delivered");
      assert.equal((await stored(s.url)).length, 1);
    }, { proxy: { onAccept: (n) => (n === 1 ? "close" : "forward") } });
  },
);

// 7 ---------------------------------------------------------------------------

cliTest(
  "pin nats: a server that accepts and never answers ends at the sink's deadline, exit 1, one line",
  async (e) => {
    if (ignore) return;
    const silent = startNatsProxy({ onAccept: () => "silent" });
    try {
      const alone = await prepare(e, [
        "--sink",
        "nats",
        "--nats-url",
        silent.url,
        "--sink-timeout",
        "2000",
      ]);
      assert.equal(alone.code, 1, alone.stderr);
      oneLine(alone.stderr);
      assert.match(alone.stderr, /^kaizen: error: plugin 'builtin', sink 'nats' failed: [^\n]+\n$/);
      // Notification sinks add: the bundle still reached stdout.
      assert.match(alone.stdout, /^# Orientation: coach in /);
      assert.ok(silent.connections.length >= 1, "the client never connected");

      // With the default deadline, beside a sink that works.
      const both = await prepare(e, ["--sink", "stdout,nats", "--nats-url", silent.url]);
      assert.equal(both.code, 1, both.stderr);
      oneLine(both.stderr);
      assert.ok(both.stdout.startsWith("# Orientation: coach in pilot"), "stdout sink did not run");
      assert.match(
        both.stderr,
        /^kaizen: notice: sink 'stdout': ok\nkaizen: error: plugin 'builtin', sink 'nats' failed: [^\n]+\n$|^kaizen: error: plugin 'builtin', sink 'nats' failed: [^\n]+\nkaizen: notice: sink 'stdout': ok\n$/,
      );
    } finally {
      await silent.close();
    }
    // A server that talks but never acknowledges the JetStream publish.
    await withServerAndProxy(async (_s, p) => {
      // Long enough to reach the publish on a busy machine; the ack never comes.
      const r = await prepare(e, ["--sink", "nats", "--nats-url", p.url, "--sink-timeout", "6000"]);
      assert.equal(r.code, 1, r.stderr);
      oneLine(r.stderr);
      assert.match(r.stderr, /^kaizen: error: plugin 'builtin', sink 'nats' failed: [^\n]+\n$/);
      assert.ok(p.msgIds().length >= 1, "the publish never went out");
    }, {
      proxy: {
        fromServer: (chunk, conn) =>
          /Nats-Msg-Id/i.test(conn.fromClient) && chunk.includes('"seq"') ? "drop" : "forward",
      },
    });
  },
);

// 8 ---------------------------------------------------------------------------

cliTest(
  "pin nats: token auth from NATS_TOKEN or the URL works; a token is never printed",
  async (e) => {
    if (ignore) return;
    const token = `tok${crypto.randomUUID().replaceAll("-", "")}`;
    const wrong = `bad${crypto.randomUUID().replaceAll("-", "")}`;
    await withServerAndProxy(async (_s, p) => {
      const viaEnv = await prepare(e, ["--sink", "nats", "--nats-url", p.url], {
        NATS_TOKEN: token,
      });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.match(viaEnv.stderr, /sink 'nats': published to kaizen\.schedule\.prepared/);
      assert.ok(p.connects().some((c) => c.includes(`"auth_token":"${token}"`)), "no token sent");

      const viaUrl = await prepare(e, [
        "--sink",
        "nats",
        "--nats-url",
        `nats://${token}@127.0.0.1:${p.port}`,
      ]);
      assert.equal(viaUrl.code, 0, viaUrl.stderr);
      assert.ok(!viaUrl.stderr.includes(token), `the token on stderr: ${viaUrl.stderr}`);
      assert.match(viaUrl.stderr, /published to kaizen\.schedule\.prepared on nats:\/\/\*\*\*@127/);

      const badEnv = await prepare(e, ["--sink", "nats", "--nats-url", p.url], {
        NATS_TOKEN: wrong,
      });
      const badUrl = await prepare(e, [
        "--sink",
        "stdout,nats",
        "--nats-url",
        `nats://${wrong}@127.0.0.1:${p.port}`,
      ]);
      for (const r of [badEnv, badUrl]) {
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /refused the credentials/);
        for (const t of [token, wrong]) {
          assert.ok(!r.stderr.includes(t), `a token on stderr: ${r.stderr}`);
          assert.ok(!r.stdout.includes(t), "a token on stdout");
        }
      }
      assert.match(badUrl.stderr, /nats:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the credentials/);
      for (const r of [viaEnv, viaUrl]) assert.ok(!r.stderr.includes(token));
    }, {
      stream: false,
      server: { jetstream: false, extraConfig: `authorization { token: "${token}" }` },
    });
  },
);
