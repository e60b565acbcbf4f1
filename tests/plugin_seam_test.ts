/**
 * The plugin seam from the outside (issue 18): a team binary's embedded
 * plugins take part in doctor's dry prepare; a sink declares its options
 * (flag, variable, kind, help) and a readiness check, and prepare, doctor,
 * `--help` and the completions pick them up without kaizen naming the sink;
 * and credentials in URLs never show (masked up to the last `@`) and never
 * reach an external-command plugin.
 *
 * Fake secrets are assembled at run time.
 */
import assert from "node:assert/strict";
import { maskUrl } from "../core/nats/url.ts";
import { urlSecrets } from "../core/commands/doctor.ts";
import { scrubEnv } from "../core/plugin/external.ts";
import { parseDuration, resolveSinkOptions } from "../core/plugin/sink_options.ts";
import { maskUserinfo, stripUserinfo } from "../core/net/userinfo.ts";
import { natsSink } from "../plugins/builtin/nats_sink.ts";
import { cliTest, EMPTY_CONFIG_HOME, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";
/** `Top@Secret`, assembled so the file holds no literal credential. */
const PASSWORD = ["Top", "Secret"].join("@");
const TAIL = PASSWORD.split("@")[1];

// --- a team binary ----------------------------------------------------------

/** A team entry with an embedded section and an embedded sink that declares options and a check. */
const TEAM_ENTRY = (extraSinkOption = "") => `
import { definePlugin, runCli } from "${REPO_ROOT}/mod.ts";

const team = definePlugin({
  name: "team",
  apiVersion: 1,
  sections: [{
    id: "team-notes",
    title: "Team notes",
    order: 450,
    collect(ctx) {
      ctx.warn("the team section ran");
      return { content: "- ask in #team" };
    },
  }],
  sinks: [{
    name: "memo",
    credentialVariables: ["MEMO_TOKEN"],
    options: [
      { flag: "memo-level", env: "MEMO_LEVEL", kind: "number", description: "How loud the memo is" },
      { flag: "memo-every", kind: "duration", description: "How often to memo", default: "2s" },
      { flag: "memo-quiet", kind: "boolean", description: "Say nothing" },
      ${extraSinkOption}
    ],
    check(ctx) {
      ctx.report.pass("ready", \`level \${ctx.options["memo-level"]}, every \${ctx.options["memo-every"]} ms\`);
      // A careless check: doctor masks the declared credential anyway.
      ctx.report.warn("token", \`token is \${ctx.env("MEMO_TOKEN")}\`, "none");
    },
    emit(bundle, ctx) {
      return \`level=\${ctx.options?.["memo-level"]} every=\${ctx.options?.["memo-every"]} quiet=\${ctx.options?.["memo-quiet"]} dry=\${ctx.options?.["dry-run"]} agent=\${bundle.agent}\`;
    },
  }],
});

Deno.exit(await runCli(Deno.args, { plugins: [team] }));
`;

async function withTeamEntry(
  fn: (
    run: (args: string[], env?: Record<string, string>, stdin?: string) => Promise<Run>,
  ) => Promise<void>,
  extraSinkOption = "",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-team-entry-" });
  try {
    const entry = `${dir}/team.ts`;
    await Deno.writeTextFile(entry, TEAM_ENTRY(extraSinkOption));
    await fn(async (args, env = {}, stdin) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", `${REPO_ROOT}/deno.json`, entry, ...args],
        env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "", ...env },
        stdin: stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (stdin !== undefined) {
        const w = child.stdin.getWriter();
        await w.write(new TextEncoder().encode(stdin));
        await w.close();
      }
      const out = await child.output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

Deno.test("team binary: doctor's dry prepare runs the embedded section; the embedded sink's check runs", async () => {
  await withTeamEntry(async (run) => {
    const r = await run(
      ["doctor", "--target", PILOT, "--format", "json", "--memo-level", "3"],
      { MEMO_LEVEL: "9", MEMO_TOKEN: TAIL + "-memo-token" },
    );
    const report = JSON.parse(r.stdout);
    const byId = new Map(report.checks.map((c: { id: string }) => [c.id, c]));
    const prepare = byId.get("repo.prepare.coach") as { status: string; detail: string };
    assert.equal(prepare.status, "warn", r.stdout);
    assert.match(prepare.detail, /first: the team section ran/);
    // The sink's own check, with its options resolved: the flag wins over the variable.
    assert.deepEqual(byId.get("memo.ready"), {
      id: "memo.ready",
      status: "pass",
      detail: "level 3, every 2000 ms",
      fix: null,
    });
    assert.equal((byId.get("memo.token") as { detail: string }).detail, "token is ***");
    assert.ok(!r.stdout.includes(TAIL));
    // `--offline` skips it like every network check.
    const offline = await run(["doctor", "--target", PILOT, "--offline"]);
    assert.match(offline.stdout, /^- memo\.reachable +skipped: --offline$/m);
  });
});

Deno.test("team binary: a sink's declared options parse, fall back to their variable, show in help and completions", async () => {
  await withTeamEntry(async (run) => {
    const base = [
      "schedule",
      "prepare",
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--sink",
      "memo",
    ];
    const flags = await run([...base, "--memo-level", "2", "--memo-every", "1.5s", "--memo-quiet"]);
    assert.equal(flags.code, 0, flags.stderr);
    assert.match(
      flags.stderr,
      /sink 'memo': level=2 every=1500 quiet=true dry=false agent=coach/,
    );
    const fromEnv = await run([...base, "--dry-run"], { MEMO_LEVEL: "7" });
    assert.match(
      fromEnv.stderr,
      /sink 'memo': level=7 every=2000 quiet=undefined dry=true agent=coach/,
    );
    // A bad value from the variable fails the sink (exit 1) without quoting it.
    const bad = await run(base, { MEMO_LEVEL: "loud" });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /sink 'memo' failed: MEMO_LEVEL must be a number/);
    // A bad flag value is a usage error, like any numeric option.
    const usage = await run([...base, "--memo-level", "x"]);
    assert.equal(usage.code, 2);

    const help = await run(["schedule", "prepare", "--help"]);
    assert.match(help.stdout, /--memo-level <N> +How loud the memo is/);
    assert.match(
      help.stdout,
      /--sink <NAME\[,NAME\]> +Where to send the bundle: stdout, file, nats, artifact-store, memo/,
    );
    assert.match(help.stdout, /--nats-url <URL>/);
    const doctorHelp = await run(["doctor", "--help"]);
    assert.match(doctorHelp.stdout, /--memo-level <N>/);
    assert.match(doctorHelp.stdout, /--artifact-store <URL>/);
    for (const shell of ["bash", "zsh", "fish"]) {
      const c = await run(["completions", shell]);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, /memo-level/, shell);
      assert.match(c.stdout, /retention-class/, shell);
    }
  });
});

Deno.test("team binary: a sink option that reuses one of kaizen's flags is a one-line error, exit 1", async () => {
  await withTeamEntry(async (run) => {
    const r = await run(["schedule", "prepare", "coach", "--target", PILOT]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "kaizen: error: plugin 'team': sink 'memo': option --format is one of kaizen's own options\n",
    );
  }, `{ flag: "format", kind: "string", description: "clash" },`);
});

Deno.test("team binary: kaizen mcp --allow-sinks offers any loaded sink that delivers elsewhere", async () => {
  await withTeamEntry(async (run) => {
    // stdout and file write kaizen's own output: not offered; the team's sink is.
    const refused = await run(["mcp", "--target", PILOT, "--allow-sinks", "stdout"]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /--allow-sinks: unknown sink 'stdout'; choose from nats, artifact-store, memo\n$/,
    );
    const rpc = (id: number, method: string, params: unknown) =>
      JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n";
    const r = await run(
      ["mcp", "--target", PILOT, "--now", NOW, "--allow-sinks", "memo", "--memo-level", "4"],
      {},
      rpc(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      }) +
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n" +
        rpc(2, "tools/call", { name: "emit_prepared", arguments: { agent: "coach" } }),
    );
    assert.equal(r.code, 0, r.stderr);
    const answer = r.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((m) => m.id === 2);
    assert.ok(answer?.result, r.stdout);
    assert.deepEqual(answer.result.structuredContent.results, [{
      sink: "memo",
      plugin: "team",
      ok: true,
      detail: "level=4 every=2000 quiet=undefined dry=false agent=coach",
    }]);
  });
});

// --- sink options, in process -------------------------------------------------

Deno.test("resolveSinkOptions: flag, else variable (empty is unset), else default; durations in ms", () => {
  const env = (k: string) =>
    ({ NATS_URL: "nats://10.0.0.1:4222", EMPTY: "" } as Record<string, string>)[k];
  assert.deepEqual(resolveSinkOptions(natsSink, {}, env), {
    "dry-run": false,
    "nats-url": "nats://10.0.0.1:4222",
    subject: undefined,
  });
  assert.deepEqual(
    resolveSinkOptions(
      natsSink,
      { "nats-url": "nats://h:1", subject: "a.b", "dry-run": true },
      env,
    ),
    { "dry-run": true, "nats-url": "nats://h:1", subject: "a.b" },
  );
  assert.equal(resolveSinkOptions(natsSink, {}, () => "")["nats-url"], undefined);
  assert.deepEqual(
    ["250ms", "10s", "1.5s", "5m", "1h", "1500", "x", "-1s", ""].map(parseDuration),
    [250, 10_000, 1_500, 300_000, 3_600_000, 1_500, undefined, undefined, undefined],
  );
});

// --- credentials ------------------------------------------------------------------

Deno.test("credentials: masking runs to the last @ before the host", () => {
  const url = `nats://alice:${PASSWORD}@127.0.0.1:4333`;
  assert.equal(maskUrl(url), "nats://alice:***@127.0.0.1:4333");
  assert.equal(maskUrl(`nats://${PASSWORD}@h:1`), "nats://***@h:1");
  assert.equal(maskUserinfo(`https://u:${PASSWORD}@h/p@q`), "https://u:***@h/p@q");
  assert.equal(maskUrl("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
  assert.deepEqual(urlSecrets(url), [PASSWORD]);
  assert.equal(
    stripUserinfo(`${url},nats://bob:pw@h2:4222`),
    "nats://127.0.0.1:4333,nats://h2:4222",
  );
});

Deno.test("credentials: an external plugin's environment carries no URL userinfo", () => {
  const env = scrubEnv({
    NATS_URL: `nats://alice:${PASSWORD}@127.0.0.1:4333`,
    STATE_HUB_URL: `https://hub:${PASSWORD}@hub.example/api?x=1`,
    ARTIFACTSTORE_API_URL: `alice:${PASSWORD}@store.example:8080`,
    DATABASE_DSN: `postgres://u:${PASSWORD}@db/x`,
    NATS_TOKEN: "t0ken-value",
    PASSED_URL: `https://u:${PASSWORD}@kept.example`,
    PLAIN: "alice@example.com",
  }, new Set(["PASSED_URL"]));
  assert.deepEqual(env, {
    NATS_URL: "nats://127.0.0.1:4333",
    STATE_HUB_URL: "https://hub.example/api?x=1",
    ARTIFACTSTORE_API_URL: "store.example:8080",
    DATABASE_DSN: "postgres://db/x",
    // The host listed it in env_passthrough: passed as it is.
    PASSED_URL: `https://u:${PASSWORD}@kept.example`,
    PLAIN: "alice@example.com",
  });
});

const ENV_DUMP_PLUGIN = `
const req = JSON.parse(await new Response(Deno.stdin.readable).text());
const names = ["NATS_URL", "STATE_HUB_URL", "ARTIFACTSTORE_API_URL"];
await Deno.writeTextFile(Deno.args[0], JSON.stringify(Object.fromEntries(names.map((n) => [n, Deno.env.get(n) ?? null]))));
console.log(JSON.stringify({ protocol: req.protocol, content: "env seen" }));
`;

cliTest("credentials: prepare hands an external plugin URLs without their userinfo", async (e) => {
  const dir = await tempRepo({ "plugin.ts": ENV_DUMP_PLUGIN });
  try {
    const seen = `${dir}/seen.json`;
    await Deno.writeTextFile(
      `${dir}/plugins.yml`,
      [
        "version: 1",
        "plugins:",
        "  - name: env-dump",
        `    command: ${
          JSON.stringify([Deno.execPath(), "run", "-A", "--no-config", `${dir}/plugin.ts`, seen])
        }`,
        "    timeout_ms: 60000",
        "    sections:",
        '      - { id: env-dump, title: "Env", order: 350 }',
      ].join("\n") + "\n",
    );
    const r = await runCli(
      e,
      [
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        `${dir}/plugins.yml`,
      ],
      {
        env: {
          NATS_URL: `nats://alice:${PASSWORD}@127.0.0.1:4333`,
          STATE_HUB_URL: `https://hub:${PASSWORD}@hub.example`,
          ARTIFACTSTORE_API_URL: `https://store:${PASSWORD}@store.example`,
        },
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /env seen/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(seen)), {
      NATS_URL: "nats://127.0.0.1:4333",
      STATE_HUB_URL: "https://hub.example",
      ARTIFACTSTORE_API_URL: "https://store.example",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest("credentials: --sink nats never shows the password, even one with an @", async (e) => {
  const url = `nats://alice:${PASSWORD}@127.0.0.1:4333`;
  const base = ["schedule", "prepare", "coach", "--target", PILOT, "--now", NOW, "--sink", "nats"];
  const dry = await runCli(e, [...base, "--dry-run", "--format", "json", "--nats-url", url]);
  assert.equal(dry.code, 0, dry.stderr);
  const described = JSON.parse(dry.stdout.slice(dry.stdout.lastIndexOf('{\n  "sink": "nats"')));
  assert.equal(described.server, "nats://alice:***@127.0.0.1:4333");
  assert.match(
    dry.stderr,
    /dry run: would publish to kaizen\.schedule\.prepared on nats:\/\/alice:\*\*\*@127\.0\.0\.1:4333/,
  );
  // Through the variable, and a real attempt at a port nobody listens on.
  const port = freePort();
  const failed = await runCli(e, [...base, "--sink-timeout", "1500"], {
    env: { NATS_URL: `nats://alice:${PASSWORD}@127.0.0.1:${port}` },
  });
  assert.equal(failed.code, 1);
  for (const out of [dry.stdout, dry.stderr, failed.stdout, failed.stderr]) {
    assert.ok(!out.includes(TAIL) && !out.includes(PASSWORD), out);
  }
});

cliTest("credentials: doctor never shows a NATS or hub password that holds an @", async (e) => {
  const port = freePort();
  const r = await runCli(e, [
    "doctor",
    "--nats-url",
    `nats://alice:${PASSWORD}@127.0.0.1:${port}`,
    "--hub",
    `http://hub:${PASSWORD}@127.0.0.1:${port}`,
  ]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /nats\.reachable/);
  assert.match(r.stdout, /alice:\*\*\*@127\.0\.0\.1/);
  for (const out of [r.stdout, r.stderr]) {
    assert.ok(!out.includes(TAIL) && !out.includes(PASSWORD), out);
  }
});

/** A loopback port nothing listens on (taken, then released). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

// --- the public HTTP retry helper ---------------------------------------------------

Deno.test("fetchWithRetry: retries 5xx and network errors with backoff, honours Retry-After, returns the last answer", async () => {
  const { fetchWithRetry } = await import("../plugin.ts");
  const seen: string[] = [];
  const answers: (() => Response)[] = [
    () => {
      throw new TypeError("connection refused");
    },
    () => new Response("busy", { status: 503, headers: { "retry-after": "0" } }),
    () => new Response("ok", { status: 200 }),
  ];
  const fake = ((_url: string | URL | Request, init?: RequestInit) => {
    seen.push(`${init?.method} ${init?.redirect}`);
    return Promise.resolve().then(() => answers[seen.length - 1]());
  }) as typeof fetch;
  const r = await fetchWithRetry("http://127.0.0.1:1/hook", { method: "POST", body: "{}" }, {
    fetch: fake,
    random: () => 0,
  });
  assert.equal(r.response.status, 200);
  assert.equal(r.attempts, 3);
  assert.equal(await r.response.text(), "ok");
  assert.deepEqual(seen, ["POST manual", "POST manual", "POST manual"]);

  // A 4xx is an answer, not a reason to retry; the last 5xx is returned when tries run out.
  let n = 0;
  const always = (status: number) =>
    (() => {
      n++;
      return Promise.resolve(new Response(null, { status }));
    }) as typeof fetch;
  assert.equal((await fetchWithRetry("http://x", {}, { fetch: always(404) })).attempts, 1);
  n = 0;
  const last = await fetchWithRetry("http://x", {}, {
    fetch: always(500),
    attempts: 2,
    random: () => 0,
  });
  assert.equal(last.response.status, 500);
  assert.equal(n, 2);
});
