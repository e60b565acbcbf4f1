/**
 * `kaizen events setup | tail` (issue 19) through the real CLI, from source
 * and from the bundle, against a real `nats-server -js` on loopback; plus the
 * stream module's pure parts (request, comparison, option checks).
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import * as nkeys from "@nats-io/nkeys";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { MetricsRecordedModel, SchedulePreparedModel } from "../core/events/model.ts";
import { EventsTailLineModel } from "../core/events/tail_model.ts";
import { SUBJECTS } from "../core/events/subjects.ts";
import {
  checkStreamOptions,
  createRequest,
  DEFAULT_STREAM_OPTIONS,
  diffStream,
  KAIZEN_SUBJECTS,
  MIN_DUPLICATE_WINDOW_MS,
  streamConfig,
  wantedSubjects,
} from "../core/events/stream.ts";
import { setupEventStreamOn } from "../core/events/manager.ts";
import { openEventPublisher } from "../core/nats/mod.ts";
import { type CliEntry, cliTest, REPO_ROOT, runCli } from "./_cli.ts";
import { fake } from "./_fake_secrets.ts";
import { haveNatsServer, type NatsServer, startNatsServer } from "./_nats_server.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const ignore = !haveNatsServer();
// Nothing from the machine running the tests may take part.
const CLEAN_ENV = { NATS_URL: "", NATS_CREDS: "", NATS_NKEY: "", NATS_TOKEN: "" };
const HOUR_NS = 3600e9;

function kaizen(entry: CliEntry, args: string[], env: Record<string, string> = {}) {
  return runCli(entry, args, { env: { ...CLEAN_ENV, ...env } });
}

async function client(url: string, extra: Record<string, unknown> = {}): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false, ...extra });
}

async function withNats(
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

async function streamInfo(url: string, name = "KAIZEN") {
  const nc = await client(url);
  try {
    return await (await jetstreamManager(nc)).streams.info(name);
  } finally {
    await nc.close();
  }
}

/** Publishes `payload` through JetStream (acked) from this test process. */
async function publish(url: string, subject: string, payload: unknown): Promise<void> {
  const nc = await client(url);
  try {
    await jetstream(nc).publish(subject, JSON.stringify(payload));
  } finally {
    await nc.close();
  }
}

function noStackTrace(text: string): void {
  assert.ok(!text.includes("    at "), text);
}

function oneErrorLine(stderr: string): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /^kaizen: error: /);
  noStackTrace(stderr);
}

/** A CLI process left running: its stderr read line by line, its stdout collected. */
interface Running {
  /** Resolves with the first stderr line matching `re` (rejects when stderr ends first). */
  waitFor(re: RegExp): Promise<string>;
  done: Promise<{ code: number; stdout: string; stderr: string }>;
  kill(signal: Deno.Signal): void;
}

function spawnCli(entry: CliEntry, args: string[], env: Record<string, string>): Running {
  const [cmd, ...rest] = entry.argv;
  const child = new Deno.Command(cmd, {
    args: [...rest, ...args],
    env: { NO_COLOR: "1", KAIZEN_REPO: "", ...CLEAN_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const stderrDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      err += dec.decode(chunk, { stream: true });
      for (const w of [...waiters]) {
        const line = err.split("\n").find((l) => w.re.test(l));
        if (line !== undefined) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
    for (const w of waiters) w.reject(new Error(`stderr ended without ${w.re}:\n${err}`));
  })();
  const stdoutText = new Response(child.stdout).text();
  return {
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const line = err.split("\n").find((l) => re.test(l));
        if (line !== undefined) resolve(line);
        else waiters.push({ re, resolve, reject });
      }),
    done: (async () => {
      const status = await child.status;
      await stderrDone;
      return { code: status.code, stdout: await stdoutText, stderr: err };
    })(),
    kill: (signal) => child.kill(signal),
  };
}

// --- the stream module, without a server ---------------------------------

Deno.test("events stream: kaizen.> covers every subject kaizen publishes", () => {
  for (const s of SUBJECTS) assert.ok(s.startsWith("kaizen."), s);
  assert.equal(KAIZEN_SUBJECTS, "kaizen.>");
  assert.deepEqual(streamConfig(DEFAULT_STREAM_OPTIONS).subjects, ["kaizen.>"]);
});

Deno.test("events stream: the create request is the subject and the JSON body, times in ns", () => {
  const req = createRequest(DEFAULT_STREAM_OPTIONS);
  assert.equal(req.subject, "$JS.API.STREAM.CREATE.KAIZEN");
  assert.deepEqual(req.body, {
    name: "KAIZEN",
    subjects: ["kaizen.>"],
    retention: "limits",
    storage: "file",
    max_age: 90 * 24 * HOUR_NS,
    duplicate_window: 2 * HOUR_NS,
    num_replicas: 1,
  });
});

Deno.test("events stream: a matching config has no changes; each differing field is named", () => {
  const same = streamConfig(DEFAULT_STREAM_OPTIONS);
  assert.deepEqual(diffStream({ ...same, discard: "old" } as never, DEFAULT_STREAM_OPTIONS), []);
  // Not given: an operator's limits stay; a window under the minimum does not.
  assert.deepEqual(
    diffStream({ ...same, max_age: 0, duplicate_window: 120e9 }, DEFAULT_STREAM_OPTIONS, new Set())
      .map((c) => c.field),
    ["duplicate_window"],
  );
  assert.deepEqual(
    diffStream({ ...same, duplicate_window: 4 * HOUR_NS }, DEFAULT_STREAM_OPTIONS, new Set()),
    [],
  );
  const changes = diffStream(
    { ...same, max_age: 0, duplicate_window: 120e9, storage: "memory" },
    DEFAULT_STREAM_OPTIONS,
  );
  assert.deepEqual(changes.map((c) => [c.field, c.from, c.to, c.fixed]), [
    ["storage", "memory", "file", true],
    ["max_age", "unlimited", "90d", false],
    ["duplicate_window", "2m", "2h", false],
  ]);
});

Deno.test("events stream: subjects keep the owner's, add kaizen.>, drop what it covers", () => {
  assert.deepEqual(wantedSubjects(["kaizen.>"]), ["kaizen.>"]);
  assert.deepEqual(wantedSubjects([">"]), [">"]);
  assert.deepEqual(
    wantedSubjects(["orders.>", "kaizen.schedule.prepared"]),
    ["orders.>", "kaizen.>"],
  );
});

Deno.test("events stream: a window under 2h, a max age under the window, a bad name are refused", () => {
  assert.equal(checkStreamOptions(DEFAULT_STREAM_OPTIONS), undefined);
  assert.match(
    checkStreamOptions({ ...DEFAULT_STREAM_OPTIONS, duplicateWindowMs: 60_000 })!,
    /at least 2h/,
  );
  assert.match(
    checkStreamOptions({ ...DEFAULT_STREAM_OPTIONS, maxAgeMs: MIN_DUPLICATE_WINDOW_MS / 2 })!,
    /must not be shorter than the duplicate window/,
  );
  assert.equal(checkStreamOptions({ ...DEFAULT_STREAM_OPTIONS, maxAgeMs: 0 }), undefined);
  assert.match(checkStreamOptions({ ...DEFAULT_STREAM_OPTIONS, name: "a.b" })!, /not valid/);
});

// --- setup ----------------------------------------------------------------

cliTest("events setup: creates the stream; a second run changes nothing and says so", async (e) => {
  if (ignore) return;
  await withNats(async (s) => {
    const first = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^created stream KAIZEN on nats:\/\/127\.0\.0\.1:\d+: subjects kaizen\.>, retention limits, storage file, max age 90d, duplicate window 2h, replicas 1\n$/,
    );
    const before = await streamInfo(s.url);
    assert.deepEqual(before.config.subjects, ["kaizen.>"]);
    assert.equal(before.config.duplicate_window, 2 * HOUR_NS);
    assert.equal(before.config.storage, "file");

    const second = await kaizen(e, ["events", "setup"], { NATS_URL: s.url });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^stream KAIZEN on .* is up to date: .*; nothing changed\n$/);
    const after = await streamInfo(s.url);
    assert.deepEqual(after.config, before.config);
    assert.equal(after.created, before.created);

    const changed = await kaizen(e, [
      "events",
      "setup",
      "--nats-url",
      s.url,
      "--max-age",
      "30d",
      "--duplicate-window",
      "PT3H",
    ]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(
      changed.stdout,
      /^updated stream KAIZEN on .*: max age 90d → 30d, duplicate window 2h → 3h\n$/,
    );
    const updated = await streamInfo(s.url);
    assert.equal(updated.config.max_age, 30 * 24 * HOUR_NS);
    assert.equal(updated.config.duplicate_window, 3 * HOUR_NS);
  });
});

cliTest(
  "events setup: an existing stream gets kaizen.> and a 2h window; limits not asked for stay",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const nc = await client(s.url);
      await (await jetstreamManager(nc)).streams.add({
        name: "KAIZEN",
        subjects: ["kaizen.schedule.prepared"],
        duplicate_window: 120e9,
        max_age: 30 * 24 * HOUR_NS,
        storage: "memory" as never,
      });
      await nc.close();
      const r = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^updated stream KAIZEN on .*: subjects kaizen\.schedule\.prepared → kaizen\.>, duplicate window 2m → 2h\n$/,
      );
      const info = await streamInfo(s.url);
      assert.deepEqual(info.config.subjects, ["kaizen.>"]);
      assert.equal(info.config.max_age, 30 * 24 * HOUR_NS, "the operator's max age stays");
      assert.equal(info.config.storage, "memory");
      const again = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
      assert.match(again.stdout, /is up to date: .*max age 30d, duplicate window 2h/);
    });
  },
);

cliTest(
  "events setup: subjects owned by another stream → one line naming it, exit 1",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const nc = await client(s.url);
      await (await jetstreamManager(nc)).streams.add({ name: "FLEET", subjects: ["kaizen.>"] });
      await nc.close();
      const r = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      oneErrorLine(r.stderr);
      assert.match(r.stderr, /stream FLEET already stores kaizen subjects: pass --stream FLEET/);
    });
  },
);

cliTest(
  "events setup: storage cannot change on an existing stream → one line, exit 1",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
      const r = await kaizen(e, ["events", "setup", "--nats-url", s.url, "--storage", "memory"]);
      assert.equal(r.code, 1);
      oneErrorLine(r.stderr);
      assert.match(r.stderr, /storage is file, not memory: JetStream cannot change that/);
      assert.equal((await streamInfo(s.url)).config.storage, "file");
    });
  },
);

cliTest(
  "events setup --dry-run: prints the request, connects to nothing, masks the URL",
  async (e) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const accepted = listener.accept().then((c) => {
      c.close();
      return true;
    }, () => false);
    const password = "pw-" + fake(12, undefined, 31);
    try {
      const r = await kaizen(e, [
        "events",
        "setup",
        "--dry-run",
        "--stream",
        "EVENTS",
        "--replicas",
        "3",
        "--nats-url",
        `nats://ops:${password}@127.0.0.1:${port}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const [subject, ...body] = r.stdout.trimEnd().split("\n");
      assert.equal(subject, "$JS.API.STREAM.CREATE.EVENTS");
      assert.deepEqual(JSON.parse(body.join("\n")), {
        ...streamConfig({ ...DEFAULT_STREAM_OPTIONS, name: "EVENTS", replicas: 3 }),
      });
      assert.match(r.stderr, /dry run: nothing sent to nats:\/\/ops:\*\*\*@127\.0\.0\.1:\d+/);
      assert.ok(!(r.stdout + r.stderr).includes(password));
      const connected = await Promise.race([accepted, Promise.resolve("no")]);
      assert.equal(connected, "no", "the dry run opened a connection");
    } finally {
      listener.close();
      await accepted;
    }
  },
);

cliTest("events setup: bad options are usage errors (exit 2) before any connection", async (e) => {
  for (
    const [args, re] of [
      [["--duplicate-window", "1h"], /duplicate window must be at least 2h/],
      [["--max-age", "soon"], /'--max-age' must be a duration/],
      [["--stream", "a.b"], /stream name 'a\.b' is not valid/],
      [["--replicas", "9"], /'--replicas' must be a whole number from 1 to 5/],
      [["--nats-url", "http://127.0.0.1:1"], /is not a NATS URL/],
    ] as const
  ) {
    const r = await kaizen(e, ["events", "setup", "--nats-url", "nats://127.0.0.1:1", ...args]);
    assert.equal(r.code, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, re);
    noStackTrace(r.stderr);
  }
});

// --- tail -----------------------------------------------------------------

cliTest(
  "events tail: setup, then prepare --sink nats from another process → tail --since 1h sees it",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
      const prep = await kaizen(e, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--sink",
        "nats",
        "--nats-url",
        s.url,
      ]);
      assert.equal(prep.code, 0, prep.stderr);
      assert.match(prep.stderr, /stored in stream KAIZEN as seq 1/);
      // A second stored event: --count 1 stops after the first.
      await publish(s.url, "kaizen.agent.installed", { event: "kaizen.agent.installed" });
      const r = await kaizen(e, [
        "events",
        "tail",
        "--since",
        "1h",
        "--count",
        "1",
        "--timeout",
        "30s",
        "--format",
        "json",
        "--nats-url",
        s.url,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stdout);
      const line = EventsTailLineModel.parse(JSON.parse(lines[0]));
      assert.equal(line.subject, "kaizen.schedule.prepared");
      assert.equal(line.stream, "KAIZEN");
      assert.equal(line.seq, 1);
      assert.ok(line.time !== null && !Number.isNaN(Date.parse(line.time)));
      const event = SchedulePreparedModel.parse(line.payload);
      assert.equal(event.agent, "coach");
      assert.match(r.stderr, /following kaizen\.> on .* \(stream KAIZEN, replaying from /);

      const text = await kaizen(e, [
        "events",
        "tail",
        "--since",
        "PT1H",
        "--count",
        "1",
        "--timeout",
        "30s",
        "--nats-url",
        s.url,
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}kaizen\.schedule\.prepared {2}pilot {2}coach {2}weekly, \d+ bytes {2}#1\n$/,
      );
    });
  },
);

cliTest(
  "events tail: follows live and sees metrics record --sink nats from another process",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
      // Something stored before tail starts is not replayed without --since.
      await publish(s.url, "kaizen.agent.installed", { event: "kaizen.agent.installed", n: 0 });
      const target = await Deno.makeTempDir({ prefix: "kaizen-events-" });
      try {
        await Deno.mkdir(`${target}/.kaizen`, { recursive: true });
        const tail = spawnCli(e, [
          "events",
          "tail",
          "--count",
          "1",
          "--timeout",
          "60s",
          "--format",
          "json",
          "--nats-url",
          s.url,
        ], {});
        await tail.waitFor(/following kaizen\.> .*\(stream KAIZEN, from seq 2\)/);
        const rec = await kaizen(e, [
          "metrics",
          "record",
          "coach",
          "--success",
          "--time",
          "60",
          "--quality",
          "0.9",
          "--target",
          target,
          "--sink",
          "nats",
          "--nats-url",
          s.url,
        ]);
        assert.equal(rec.code, 0, rec.stderr);
        const r = await tail.done;
        assert.equal(r.code, 0, r.stderr);
        const line = EventsTailLineModel.parse(JSON.parse(r.stdout.trimEnd()));
        assert.equal(line.subject, "kaizen.metrics.recorded");
        assert.equal(line.seq, 2);
        assert.equal(MetricsRecordedModel.parse(line.payload).time_seconds, 60);
      } finally {
        await Deno.remove(target, { recursive: true });
      }
    });
  },
);

cliTest(
  "events tail: without a stream it follows core NATS; SIGTERM stops it, exit 0",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const tail = spawnCli(e, ["events", "tail", "--count", "1", "--timeout", "60s"], {
        NATS_URL: s.url,
      });
      await tail.waitFor(/following kaizen\.> .*\(no stream: live events only\)/);
      const nc = await client(s.url);
      nc.publish(
        "kaizen.agent.installed",
        JSON.stringify({
          event: "kaizen.agent.installed",
          occurred_at: "2026-11-23T08:00:00Z",
          repo: "acme/web",
          agent: "coach",
          path: "agents/agent-coach.md",
          replaced: true,
        }),
      );
      await nc.flush();
      await nc.close();
      const r = await tail.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        "2026-11-23T08:00:00Z  kaizen.agent.installed  acme/web  coach  agents/agent-coach.md (replaced)\n",
      );

      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        const idle = spawnCli(e, ["events", "tail", "--timeout", "60s"], { NATS_URL: s.url });
        await idle.waitFor(/following kaizen\.>/);
        idle.kill(signal);
        const stopped = await idle.done;
        assert.equal(stopped.code, 0, `${signal}: ${stopped.stderr}`);
        assert.equal(stopped.stdout, "");
      }
    });
  },
);

cliTest(
  "events tail: a secret or a control character in an event field is not printed",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
      const token = "ghp_" + fake(36, undefined, 77);
      const password = fake(20, undefined, 78);
      const glued = "ghp_" + fake(36, undefined, 79);
      await publish(s.url, "kaizen.schedule.prepared", {
        event: "kaizen.schedule.prepared",
        repo: `acme ${token}`,
        agent: "coach\u001b[2J\u202e",
        prepare_command: `kaizen schedule prepare coach --db-password=${password}`,
        extra: { db_password: password },
        // A token right after a colour code: the whole code must go for the token to be seen.
        note: `\u001b[1m${glued}`,
      });
      for (const format of ["json", "text"]) {
        const r = await kaizen(e, [
          "events",
          "tail",
          "--since",
          "1h",
          "--count",
          "1",
          "--timeout",
          "30s",
          "--format",
          format,
          "--nats-url",
          s.url,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const all = r.stdout + r.stderr;
        assert.ok(!all.includes(token), `${format}: token printed`);
        assert.ok(!all.includes(password), `${format}: password printed`);
        assert.ok(!all.includes(glued), `${format}: a token after a colour code printed`);
        assert.ok(!r.stdout.includes("\u001b") && !r.stdout.includes("\u202e"), format);
        assert.match(r.stdout, /\[REDACTED:/);
        assert.match(
          r.stderr,
          /notice: redacted \d+ secrets? from kaizen\.schedule\.prepared \(seq 1\)/,
        );
        if (format === "json") {
          const line = EventsTailLineModel.parse(JSON.parse(r.stdout));
          assert.equal((line.payload as { agent: string }).agent, "coach");
        }
      }
    });
  },
);

cliTest("events: refused credentials → one line, exit 1, the credential never shown", async (e) => {
  if (ignore) return;
  const token = "tok-" + fake(16, undefined, 41);
  await withNats(async (s) => {
    const wrong = "wrong-" + fake(16, undefined, 42);
    const urlPassword = "pw-" + fake(12, undefined, 43);
    for (
      const [args, env] of [
        [["events", "setup"], { NATS_URL: s.url, NATS_TOKEN: wrong }],
        [["events", "tail", "--timeout", "30s"], { NATS_URL: s.url, NATS_TOKEN: wrong }],
        [["events", "setup", "--nats-url", `nats://ops:${urlPassword}@127.0.0.1:${s.port}`], {}],
      ] as const
    ) {
      const r = await kaizen(e, [...args], env);
      assert.equal(r.code, 1, `${args}: ${r.stderr}`);
      oneErrorLine(r.stderr);
      assert.match(r.stderr, /refused the credentials/);
      for (const secret of [token, wrong, urlPassword]) {
        assert.ok(!(r.stdout + r.stderr).includes(secret), `${args}: a credential was shown`);
      }
    }
    // The right token works.
    const ok = await kaizen(e, ["events", "setup"], { NATS_URL: s.url, NATS_TOKEN: token });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!(ok.stdout + ok.stderr).includes(token));
  }, { extraConfig: `authorization { token: "${token}" }` });
});

cliTest(
  "events tail: --since without a stream, and --count not reached by --timeout, exit 1",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const r = await kaizen(e, ["events", "tail", "--since", "1h", "--nats-url", s.url]);
      assert.equal(r.code, 1);
      oneErrorLine(r.stderr);
      assert.match(
        r.stderr,
        /no stream stores kaizen\.>: nothing to replay \(create one with 'kaizen events setup'/,
      );

      const t = await kaizen(e, [
        "events",
        "tail",
        "--count",
        "2",
        "--timeout",
        "1s",
        "--nats-url",
        s.url,
      ]);
      assert.equal(t.code, 1, t.stderr);
      assert.match(t.stderr, /error: timed out after 0 of 2 event\(s\)/);
      assert.equal(t.stdout, "");
    });
  },
);

cliTest("events tail: a server that is down → one line, exit 1", async (e) => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const r = await kaizen(e, ["events", "tail", "--nats-url", `nats://127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  oneErrorLine(r.stderr);
  assert.match(r.stderr, /cannot connect to nats:\/\/127\.0\.0\.1:\d+: connection refused/);
});

Deno.test("events: bash completion offers setup and tail, their options and choices", async () => {
  const { CLI_ENTRIES } = await import("./_cli.ts");
  const r = await kaizen(CLI_ENTRIES[0], ["completions", "bash"]);
  assert.equal(r.code, 0, r.stderr);
  const dir = await Deno.makeTempDir({ prefix: "kaizen-events-" });
  try {
    const script = `${dir}/kaizen.bash`;
    await Deno.writeTextFile(script, r.stdout);
    const fn = /^complete -F (\S+) kaizen$/m.exec(r.stdout)![1];
    const complete = async (...words: string[]) => {
      const out = await new Deno.Command("bash", {
        args: [
          "-c",
          `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ${fn}; ` +
          'printf "%s\\n" "${COMPREPLY[@]}"',
          "bash",
          script,
          ...words,
        ],
        stdout: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout).split("\n").filter((s) => s !== "");
    };
    assert.deepEqual(await complete("kaizen", "ev"), ["events"]);
    assert.deepEqual(await complete("kaizen", "events", ""), ["setup", "tail", "--help", "-h"]);
    const setup = await complete("kaizen", "events", "setup", "--");
    for (const f of ["--stream", "--max-age", "--duplicate-window", "--replicas", "--dry-run"]) {
      assert.ok(setup.includes(f), f);
    }
    assert.deepEqual(await complete("kaizen", "events", "setup", "--storage", ""), [
      "file",
      "memory",
    ]);
    const tail = await complete("kaizen", "events", "tail", "--");
    for (const f of ["--subject", "--since", "--count", "--timeout", "--format", "--nats-url"]) {
      assert.ok(tail.includes(f), f);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest(
  "events setup: doctor's nats.stream fix line is kaizen events setup, and it works",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const doctor = async () => {
        const r = await kaizen(e, ["doctor", "--format", "json"], {
          NATS_URL: s.url,
          STATE_HUB_URL: "",
          ARTIFACTSTORE_API_URL: "",
        });
        const checks = JSON.parse(r.stdout).checks as { id: string; status: string; fix: string }[];
        return new Map(checks.map((c) => [c.id, c]));
      };
      const before = await doctor();
      assert.equal(before.get("nats.stream")?.status, "fail");
      const fix = before.get("nats.stream")!.fix;
      assert.match(fix, /: kaizen events setup$/);
      const r = await kaizen(e, fix.replace(/^.*: kaizen /, "").split(" "), { NATS_URL: s.url });
      assert.equal(r.code, 0, r.stderr);
      const after = await doctor();
      assert.equal(after.get("nats.stream")?.status, "pass");
      assert.equal(after.get("nats.duplicate-window")?.status, "pass");
    });
  },
);

cliTest("events tail: the server going away ends tail with one line, exit 1", async (e) => {
  if (ignore) return;
  const s = await startNatsServer();
  let stopped = false;
  try {
    assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
    const tail = spawnCli(e, ["events", "tail", "--timeout", "60s"], { NATS_URL: s.url });
    await tail.waitFor(/following kaizen\.>/);
    await s.stop();
    stopped = true;
    const r = await tail.done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: the connection to nats:\/\/127\.0\.0\.1:\d+ closed after 0 event/,
    );
    noStackTrace(r.stderr);
  } finally {
    if (!stopped) await s.stop();
  }
});

Deno.test({
  name: "events stream: the library call creates, then leaves alone, and names a conflict",
  ignore,
  fn: () =>
    withNats(async (s) => {
      const publisher = await openEventPublisher({ url: s.url, env: () => undefined });
      try {
        const made = await setupEventStreamOn(publisher, { maxAgeMs: 0 });
        assert.equal(made.action, "created");
        assert.equal(made.config.max_age, 0);
        // Options left out leave the stream's own values alone.
        assert.equal((await setupEventStreamOn(publisher)).action, "unchanged");
        const raised = await setupEventStreamOn(publisher, { duplicateWindowMs: 4 * 3_600_000 });
        assert.equal(raised.action, "updated");
        await assert.rejects(
          setupEventStreamOn(publisher, { duplicateWindowMs: 60_000 }),
          (err: Error) => err.name === "StreamSetupError" && /at least 2h/.test(err.message),
        );
        await assert.rejects(
          setupEventStreamOn(publisher, { name: "OTHER" }),
          (err: Error) => /stream KAIZEN already stores kaizen subjects/.test(err.message),
        );
      } finally {
        await publisher.close();
      }
    }),
});

cliTest("events setup and tail: a server without JetStream", async (e) => {
  if (ignore) return;
  await withNats(async (s) => {
    const r = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
    assert.equal(r.code, 1);
    oneErrorLine(r.stderr);
    assert.match(
      r.stderr,
      /JetStream is not enabled on nats:\/\/127\.0\.0\.1:\d+ for this account/,
    );
    const t = await kaizen(e, ["events", "tail", "--since", "1h", "--nats-url", s.url]);
    assert.equal(t.code, 1);
    oneErrorLine(t.stderr);
    assert.match(t.stderr, /no stream stores kaizen\.>: nothing to replay/);
  }, { jetstream: false });
});

cliTest(
  "events setup: what the server reports is printed redacted (a token as a subject)",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      const token = "ghp_" + fake(36, undefined, 91);
      const nc = await client(s.url);
      await (await jetstreamManager(nc)).streams.add({
        name: "KAIZEN",
        subjects: ["kaizen.>", `${token}.>`],
        duplicate_window: 2 * HOUR_NS,
      });
      await nc.close();
      const r = await kaizen(e, ["events", "setup", "--nats-url", s.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /is up to date: subjects kaizen\.>, \[REDACTED:[a-z-]+\]/);
      assert.ok(!(r.stdout + r.stderr).includes(token));
      const other = await kaizen(e, ["events", "setup", "--nats-url", s.url, "--stream", "X"]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /stream KAIZEN already stores kaizen subjects/);
    });
  },
);

cliTest(
  "events tail: a message that is not JSON is shown as text, stripped and redacted",
  async (e) => {
    if (ignore) return;
    await withNats(async (s) => {
      assert.equal((await kaizen(e, ["events", "setup", "--nats-url", s.url])).code, 0);
      const token = "ghp_" + fake(36, undefined, 93);
      const nc = await client(s.url);
      await jetstream(nc).publish("kaizen.custom", `hello \u001b[31m${token}`);
      await nc.close();
      const args = ["events", "tail", "--since", "1h", "--count", "1", "--nats-url", s.url];
      const json = await kaizen(e, [...args, "--format", "json"]);
      assert.equal(json.code, 0, json.stderr);
      const line = EventsTailLineModel.parse(JSON.parse(json.stdout));
      assert.equal(line.payload, null);
      // The whole colour code goes, so the token is not glued to "[31m" (and is recognised).
      assert.match(line.text!, /^hello \[REDACTED:[a-z-]+\]$/);
      const text = await kaizen(e, args);
      assert.match(text.stdout, /kaizen\.custom {2}- {2}- {2}\(not JSON: hello \[REDACTED:/);
      assert.ok(!(json.stdout + text.stdout).includes(token));
      assert.ok(!(json.stdout + text.stdout).includes("\u001b"));
    });
  },
);

cliTest(
  "events setup and tail: an nkey seed from NATS_NKEY, user:password in the URL",
  async (e) => {
    if (ignore) return;
    const user = nkeys.createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const password = "pw-" + fake(12, undefined, 61);
    await withNats(async (s) => {
      const setup = await kaizen(e, ["events", "setup"], { NATS_URL: s.url, NATS_NKEY: seed });
      assert.equal(setup.code, 0, setup.stderr);
      assert.match(setup.stdout, /^created stream KAIZEN/);
      const url = `nats://ops:${password}@127.0.0.1:${s.port}`;
      const tail = await kaizen(e, [
        "events",
        "tail",
        "--count",
        "1",
        "--timeout",
        "2s",
        "--nats-url",
        url,
      ]);
      // Connected and following (nothing arrives: exit 1 at the timeout), URL masked.
      assert.equal(tail.code, 1, tail.stderr);
      assert.match(tail.stderr, /following kaizen\.> on nats:\/\/ops:\*\*\*@127\.0\.0\.1:\d+ /);
      for (const secret of [seed, password]) {
        assert.ok(!(setup.stdout + setup.stderr + tail.stdout + tail.stderr).includes(secret));
      }
    }, {
      extraConfig:
        `authorization { users: [ { nkey: ${user.getPublicKey()} }, { user: ops, password: "${password}" } ] }`,
    });
  },
);
