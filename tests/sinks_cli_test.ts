/**
 * `prepare --sink nats` and `--sink artifact-store` through the real CLI
 * (source and bundle): a real `nats-server` on loopback, and an in-test
 * HTTP server on 127.0.0.1 that implements the artifact-store contract and
 * checks what it receives.
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { SchedulePreparedModel } from "../core/events/model.ts";
import { type CliEntry, cliTest, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { fake } from "./_fake_secrets.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "./_nats_server.ts";
import { SPEC_TOP } from "./_event_spec.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";
const ignore = !haveNatsServer();
// Nothing from the machine running the tests may take part.
const CLEAN_ENV = {
  NATS_URL: "",
  NATS_CREDS: "",
  NATS_NKEY: "",
  NATS_TOKEN: "",
  ARTIFACTSTORE_API_URL: "",
  ARTIFACTSTORE_API_TOKEN: "",
};

function prepare(entry: CliEntry, args: string[], env: Record<string, string> = {}) {
  return runCli(entry, ["schedule", "prepare", "coach", "--now", NOW, ...args], {
    env: { ...CLEAN_ENV, ...env },
  });
}

function noStackTrace(text: string): void {
  assert.ok(!text.includes("    at "), text);
}

async function natsClient(url: string) {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false });
}

async function withNats(fn: (s: NatsServer) => Promise<void>, stream = true): Promise<void> {
  const s = await startNatsServer();
  try {
    if (stream) {
      const nc = await natsClient(s.url);
      await (await jetstreamManager(nc)).streams.add({ name: "KAIZEN", subjects: ["kaizen.>"] });
      await nc.close();
    }
    await fn(s);
  } finally {
    await s.stop();
  }
}

async function stored(url: string): Promise<Record<string, unknown>[]> {
  const nc = await natsClient(url);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info("KAIZEN");
  const out: Record<string, unknown>[] = [];
  for (
    let seq = info.state.first_seq;
    info.state.messages > 0 && seq <= info.state.last_seq;
    seq++
  ) {
    const m = await jsm.streams.getMessage("KAIZEN", { seq });
    if (m) out.push(m.json());
  }
  await nc.close();
  return out;
}

cliTest(
  "sink nats: acked into the stream with the v1 payload; a re-run is a duplicate",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const args = ["--target", PILOT, "--sink", "nats", "--nats-url", s.url];
      const first = await prepare(e, args);
      assert.equal(first.code, 0, first.stderr);
      // Notification sinks add: the bundle still reaches stdout.
      assert.match(first.stdout, /^# Orientation: coach in /, "the bundle on stdout");
      assert.match(
        first.stderr,
        /^kaizen: notice: sink 'nats': stored in stream KAIZEN as seq 1, kaizen\.schedule\.prepared on nats:\/\/127\.0\.0\.1:\d+\n$/,
      );
      const again = await prepare(e, args);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /sink 'nats': duplicate: already in stream KAIZEN \(seq 1\)/);
      const messages = await stored(s.url);
      assert.equal(messages.length, 1, "stored once");
      assert.deepEqual(Object.keys(messages[0]), SPEC_TOP);
      const event = SchedulePreparedModel.parse(messages[0]);
      assert.equal(event.agent, "coach");
      assert.equal(event.occurred_at, NOW);
      assert.equal(event.root, await Deno.realPath(PILOT));
    });
  },
);

cliTest(
  "sink nats: --sink stdout --sink nats (repeatable); no stream → core publish, said so",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const nc = await natsClient(s.url);
      const sub = nc.subscribe("team.kaizen.schedule.prepared", { max: 1 });
      await nc.flush();
      const r = await prepare(e, [
        "--target",
        PILOT,
        "--sink",
        "stdout",
        "--sink",
        "nats",
        "--subject",
        "team.kaizen.schedule.prepared",
      ], { NATS_URL: s.url });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith("# Orientation: coach in pilot"), "stdout sink ran too");
      assert.match(
        r.stderr,
        /sink 'nats': published to team\.kaizen\.schedule\.prepared .*\(no stream: not persisted\)/,
      );
      for await (const m of sub) assert.equal(m.json<{ agent: string }>().agent, "coach");
      await nc.close();
    }, false);
  },
);

cliTest(
  "sink nats: a server that is down → one line, exit 1, within the deadline; others still run",
  async (e) => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const started = Date.now();
    const r = await prepare(e, [
      "--target",
      PILOT,
      "--sink",
      "nats,stdout",
      "--nats-url",
      `nats://kaizen:pa55word@127.0.0.1:${port}`,
      "--sink-timeout",
      "3000",
    ]);
    assert.equal(r.code, 1);
    noStackTrace(r.stderr);
    assert.match(
      r.stderr,
      /^kaizen: error: plugin 'builtin', sink 'nats' failed: cannot connect to nats:\/\/kaizen:\*\*\*@127\.0\.0\.1:\d+: connection refused\nkaizen: notice: sink 'stdout': ok\n$/,
    );
    assert.ok(!r.stderr.includes("pa55word"));
    assert.ok(r.stdout.startsWith("# Orientation: coach in pilot"), "stdout sink still ran");
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  },
);

cliTest("sink nats --dry-run: prints subject, id and payload; connects to nothing", async (e) => {
  const r = await prepare(e, [
    "--target",
    PILOT,
    "--sink",
    "nats",
    "--dry-run",
    "--nats-url",
    "nats://ops:hunter2@127.0.0.1:1",
  ], { NATS_TOKEN: "tok-should-not-show" });
  assert.equal(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout);
  assert.equal(shown.subject, "kaizen.schedule.prepared");
  assert.equal(shown.server, "nats://ops:***@127.0.0.1:1");
  assert.match(shown.headers["Nats-Msg-Id"], /^[0-9a-f]{40}$/);
  assert.deepEqual(shown.auth, ["NATS_TOKEN"]);
  assert.deepEqual(Object.keys(shown.payload), SPEC_TOP);
  assert.ok(!`${r.stdout}${r.stderr}`.includes("hunter2"));
  assert.ok(!`${r.stdout}${r.stderr}`.includes("tok-should-not-show"));
  assert.match(r.stderr, /sink 'nats': dry run: would publish to kaizen\.schedule\.prepared/);
});

cliTest("sink nats: bad --subject or URL is one line, exit 1, nothing sent", async (e) => {
  const s = await prepare(e, [
    "--target",
    PILOT,
    "--sink",
    "nats",
    "--subject",
    "a b.>",
    "--dry-run",
  ]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /--subject 'a b\.>' is not a NATS subject/);
  const u = await prepare(e, [
    "--target",
    PILOT,
    "--sink",
    "nats",
    "--nats-url",
    "http://x:secret@h",
  ]);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /is not a NATS URL/);
  assert.ok(!u.stderr.includes("secret"));
});

// --- artifact store -----------------------------------------------------------

interface Seen {
  auth: string | null;
  key: string | null;
  body: { name: string; retention_class: string; files: { path: string; content: string }[] };
}

async function withStore(
  respond: (n: number) => Response | Promise<Response>,
  fn: (url: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const body = await req.json();
      seen.push({
        auth: req.headers.get("authorization"),
        key: req.headers.get("idempotency-key"),
        body,
      });
      return await respond(seen.length);
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    ac.abort();
    await server.finished;
  }
}

cliTest(
  "sink artifact-store: markdown and JSON in one package, bearer token, sha256 as the key; no secret",
  async (e) => {
    const secret = "ghp_" + fake(36, undefined, 99);
    const token = "store-" + fake(24, undefined, 5);
    const repo = await tempRepo({
      ".kaizen/schedule.yml": 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n',
      ".kaizen/agents/coach/memory.md": `# Memory\n\n- 2026-11-01: the deploy token is ${secret}\n`,
    });
    try {
      await withStore(
        (n) => Response.json({ id: `pkg-${n}` }, { status: n === 1 ? 201 : 200 }),
        async (url, seen) => {
          const env = { ARTIFACTSTORE_API_URL: url, ARTIFACTSTORE_API_TOKEN: token };
          const args = ["--target", repo, "--sink", "artifact-store", "--format", "json"];
          const r = await prepare(e, args, env);
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stderr, /sink 'artifact-store': stored as pkg-1 \(retention bundle\)/);
          assert.ok(!r.stderr.includes(token));
          const again = await prepare(e, args, env);
          assert.match(again.stderr, /sink 'artifact-store': duplicate: already stored as pkg-2/);
          assert.equal(seen.length, 2);
          const [first] = seen;
          assert.equal(first.auth, `Bearer ${token}`);
          assert.equal(first.body.retention_class, "bundle");
          assert.deepEqual(first.body.files.map((f) => f.path), ["bundle.md", "bundle.json"]);
          const json = JSON.parse(first.body.files[1].content);
          assert.equal(first.key, json.sha256);
          assert.equal(seen[1].key, first.key, "the same bundle, the same key");
          assert.ok(first.body.files[0].content.startsWith("# Orientation: coach in "));
          const everything = JSON.stringify(seen) + r.stderr + again.stderr;
          assert.ok(!everything.includes(secret), "the planted secret reached the store");
          assert.ok(json.redactions >= 1);
        },
      );
    } finally {
      await Deno.remove(repo, { recursive: true });
    }
  },
);

cliTest(
  "sink artifact-store: 401 names the variable; a hang ends at the deadline; a missing URL is said",
  async (e) => {
    await withStore(
      () => new Response(JSON.stringify({ error: "bad token" }), { status: 401 }),
      async (url) => {
        const r = await prepare(e, ["--target", PILOT, "--sink", "artifact-store"], {
          ARTIFACTSTORE_API_URL: url,
          ARTIFACTSTORE_API_TOKEN: "nope-" + fake(10),
        });
        assert.equal(r.code, 1);
        noStackTrace(r.stderr);
        assert.match(r.stderr, /sink 'artifact-store' failed: .*401.*ARTIFACTSTORE_API_TOKEN/);
        assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      },
    );
    let release = () => {};
    const hung = new Promise<void>((r) => release = r);
    await withStore(async () => {
      await hung;
      return Response.json({ id: "late" }, { status: 201 });
    }, async (url) => {
      const started = Date.now();
      const r = await prepare(e, [
        "--target",
        PILOT,
        "--sink",
        "artifact-store",
        "--sink-timeout",
        "1500",
      ], {
        ARTIFACTSTORE_API_URL: url,
      });
      release();
      assert.equal(r.code, 1);
      assert.match(r.stderr, /sink 'artifact-store' failed: /);
      assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
    });
    const m = await prepare(e, ["--target", PILOT, "--sink", "artifact-store"]);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /ARTIFACTSTORE_API_URL is not set/);
  },
);
