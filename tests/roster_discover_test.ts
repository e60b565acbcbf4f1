/**
 * `kaizen roster discover` / `discoverScheduledRuns` against a real HTTP
 * server on 127.0.0.1 that serves the state hub's `GET /repos/` and checks
 * what it receives, plus roster-file and `--scan` sources.
 */
import assert from "node:assert/strict";
import { discoverScheduledRuns, RosterSourceError } from "../core/roster/discover.ts";
import { fetchHubRoster, HubError } from "../core/roster/hub.ts";
import { scatterOffsetMs } from "../core/roster/scatter.ts";
import { parseDuration } from "../core/time/duration.ts";
import { type CliEntry, cliTest, runCli } from "./_cli.ts";
import { RosterDiscoverModel } from "../core/roster/model.ts";

const VALID = [
  'version: "1"',
  "timezone: Europe/Berlin",
  "agents:",
  "  coach:",
  "    cadence: weekly",
  '    cron: "0 9 * * 1"',
  "  optimization:",
  "    cadence: weekly",
  '    cron: "30 2 * * *"',
  "  tdd-workflow:",
  "    cadence: monthly",
  "    enabled: false",
  "",
].join("\n");

interface Fleet {
  dir: string;
  eligible: string;
  noManifest: string;
  invalid: string;
}

async function fleet(): Promise<Fleet> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-fleet-" }));
  const eligible = `${dir}/eligible`;
  const noManifest = `${dir}/no-manifest`;
  const invalid = `${dir}/invalid`;
  for (const d of [eligible, noManifest, invalid]) {
    await Deno.mkdir(`${d}/.git`, { recursive: true });
  }
  await Deno.mkdir(`${eligible}/.kaizen`);
  await Deno.writeTextFile(`${eligible}/.kaizen/schedule.yml`, VALID);
  await Deno.mkdir(`${invalid}/.kaizen`);
  await Deno.writeTextFile(
    `${invalid}/.kaizen/schedule.yml`,
    'version: "1"\nagents:\n  coach:\n    cadence: hourly\n',
  );
  return { dir, eligible, noManifest, invalid };
}

function hubRepos(f: Fleet) {
  return [
    {
      slug: "eligible",
      domain: "custodian",
      host_paths: { "runner-1": f.eligible },
      kaizen_schedule_enabled: true,
      extra_field: 1,
    },
    {
      slug: "no-manifest",
      domain: "custodian",
      host_paths: { "runner-1": f.noManifest },
      kaizen_schedule_enabled: true,
    },
    { slug: "invalid", domain: "custodian", host_paths: { "runner-1": f.invalid } },
    {
      slug: "unreachable",
      domain: "custodian",
      host_paths: { "runner-1": `${f.dir}/gone` },
      kaizen_schedule_enabled: true,
    },
    { slug: "elsewhere", domain: "custodian", host_paths: { "runner-2": f.eligible } },
    { slug: "relative", domain: "other", host_paths: { "runner-1": "srv/x" } },
    { slug: "dotdot", domain: "other", host_paths: { "runner-1": `${f.dir}/../etc` } },
  ];
}

interface Seen {
  url: URL;
  auth: string | null;
}

async function withHub(
  respond: (req: Request) => Response | Promise<Response>,
  fn: (url: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen: () => {},
  }, (req) => {
    seen.push({ url: new URL(req.url), auth: req.headers.get("authorization") });
    return respond(req);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    ac.abort();
    await server.finished;
  }
}

function discover(e: CliEntry, args: string[], env: Record<string, string> = {}) {
  return runCli(e, ["roster", "discover", ...args], {
    env: { STATE_HUB_URL: "", STATE_HUB_TOKEN: "", ...env },
  });
}

cliTest(
  "roster discover: the four fixtures, not-on-host and invalid paths, from the hub",
  async (e) => {
    const f = await fleet();
    try {
      await withHub(() => Response.json(hubRepos(f)), async (url, seen) => {
        const r = await discover(e, ["--host", "runner-1"], {
          STATE_HUB_URL: url,
          STATE_HUB_TOKEN: "tok-123",
        });
        assert.equal(r.code, 0, r.stderr);
        const body = RosterDiscoverModel.parse(JSON.parse(r.stdout));
        assert.deepEqual(body.scheduled_runs, [
          {
            repo: "eligible",
            root: f.eligible,
            agent: "coach",
            cadence: "weekly",
            cron: "0 9 * * 1",
            timezone: "Europe/Berlin",
            prepare_command: `kaizen schedule prepare coach --target ${f.eligible} --repo eligible`,
          },
          {
            repo: "eligible",
            root: f.eligible,
            agent: "optimization",
            cadence: "weekly",
            cron: "30 2 * * *",
            timezone: "Europe/Berlin",
            prepare_command:
              `kaizen schedule prepare optimization --target ${f.eligible} --repo eligible`,
          },
        ]);
        assert.deepEqual(
          body.skipped.map((s: { repo: string; reason: string }) => [s.repo, s.reason]),
          [
            ["dotdot", "invalid-path"],
            ["elsewhere", "not-on-host"],
            ["invalid", "invalid-manifest"],
            ["no-manifest", "no-manifest"],
            ["relative", "invalid-path"],
            ["unreachable", "unreachable"],
          ],
        );
        const invalid = body.skipped.find((s: { repo: string }) => s.repo === "invalid");
        assert.match(invalid!.detail![0], /schedule\.yml:4:14: error: .*hourly/);
        assert.deepEqual(
          {
            repos: body.stats.repos,
            eligible: body.stats.eligible,
            runs: body.stats.runs,
            skipped: body.stats.skipped,
          },
          { repos: 7, eligible: 1, runs: 2, skipped: 6 },
        );
        assert.equal(seen[0].url.pathname, "/repos/");
        assert.equal(seen[0].auth, "Bearer tok-123");
        assert.equal(seen[0].url.search, "");
      });
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  },
);

cliTest(
  "roster discover: --hub-filter asks the hub and filters a hub that ignores it; --domain, --agent",
  async (e) => {
    const f = await fleet();
    try {
      await withHub(() => Response.json(hubRepos(f)), async (url, seen) => {
        const r = await discover(e, [
          "--hub",
          url,
          "--host",
          "runner-1",
          "--hub-filter",
          "--domain",
          "custodian",
          "--agent",
          "coach",
        ]);
        assert.equal(r.code, 0, r.stderr);
        const body = JSON.parse(r.stdout);
        assert.equal(seen[0].url.searchParams.get("kaizen_schedule_enabled"), "true");
        assert.equal(seen[0].url.searchParams.get("domain"), "custodian");
        assert.deepEqual(
          body.scheduled_runs.map((x: { repo: string; agent: string }) => `${x.repo}/${x.agent}`),
          ["eligible/coach"],
        );
        assert.deepEqual(
          body.skipped.map((s: { repo: string; reason: string }) => [s.repo, s.reason]),
          [["elsewhere", "hub-flag-off"], ["invalid", "hub-flag-off"], [
            "no-manifest",
            "no-manifest",
          ], ["unreachable", "unreachable"]],
        );
        assert.equal(body.stats.filtered, 2, "the two repos of another domain");
      });
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  },
);

cliTest("roster discover --due across a DST change, with every firing in due_at", async (e) => {
  const f = await fleet();
  try {
    await withHub(() => Response.json(hubRepos(f)), async (url) => {
      // Berlin springs forward 2026-03-29 02:00 → 03:00 (01:00Z): 02:30 runs at the jump.
      const r = await discover(e, [
        "--hub",
        url,
        "--host",
        "runner-1",
        "--due",
        "2026-03-28T00:00:00Z/P2D",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.deepEqual(
        body.scheduled_runs.map((x: { agent: string; due_at: string[] }) => [x.agent, x.due_at]),
        [
          ["optimization", ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z"]],
        ],
      );
      assert.deepEqual(body.stats.due_window, {
        start: "2026-03-28T00:00:00Z",
        end: "2026-03-30T00:00:00Z",
      });
      const none = await discover(e, [
        "--hub",
        url,
        "--host",
        "runner-1",
        "--due",
        "2026-03-28T03:00:00Z/PT1H",
      ]);
      assert.deepEqual(JSON.parse(none.stdout).scheduled_runs, []);
    });
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("scatter: the documented test vector (computed independently with Python's hashlib)", () => {
  assert.equal(scatterOffsetMs("kaizen-agentic", "coach", 3_600_000), 1065_000);
  assert.equal(scatterOffsetMs("the-custodian", "optimization", 3_600_000), 1770_000);
  assert.equal(scatterOffsetMs("pilot", "coach", 3_600_000), 523_000);
  assert.equal(scatterOffsetMs("pilot", "coach", 86_400_000), 43723_000);
  assert.equal(scatterOffsetMs("pilot", "coach", 0), 0);
});

Deno.test("scatter: deterministic and spread across the span", () => {
  const offsets = Array.from(
    { length: 500 },
    (_, i) => scatterOffsetMs(`repo-${i}`, "coach", 3_600_000),
  );
  assert.deepEqual(
    offsets,
    Array.from({ length: 500 }, (_, i) => scatterOffsetMs(`repo-${i}`, "coach", 3_600_000)),
  );
  for (const o of offsets) assert.ok(o >= 0 && o < 3_600_000);
  // Ten 6-minute buckets: each gets a fair share (expected 50).
  const buckets = Array(10).fill(0);
  for (const o of offsets) buckets[Math.floor(o / 360_000)]++;
  for (const b of buckets) assert.ok(b >= 25 && b <= 80, `uneven: ${buckets}`);
});

cliTest("roster discover --scatter shifts due_at by the repo/agent offset", async (e) => {
  const f = await fleet();
  try {
    await withHub(
      () => Response.json([{ slug: "pilot", host_paths: { "runner-1": f.eligible } }]),
      async (url) => {
        const r = await discover(e, [
          "--hub",
          url,
          "--host",
          "runner-1",
          "--agent",
          "coach",
          "--due",
          "2026-11-23T08:00:00Z/PT2H",
          "--scatter",
          "PT1H",
        ]);
        assert.equal(r.code, 0, r.stderr);
        // coach fires 08:00Z; pilot/coach's offset in 1 h is 523 s.
        assert.deepEqual(JSON.parse(r.stdout).scheduled_runs[0].due_at, ["2026-11-23T08:08:43Z"]);
      },
    );
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

cliTest(
  "roster discover: a hub that is down, answers garbage or 401 → one line, exit 1, no answer",
  async (e) => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const down = await discover(e, ["--hub", `http://127.0.0.1:${port}`, "--host", "h"]);
    assert.equal(down.code, 1);
    assert.equal(down.stdout, "");
    assert.match(
      down.stderr,
      /^kaizen: error: cannot reach hub http:\/\/127\.0\.0\.1:\d+\/repos\/: .*\n$/,
    );
    for (
      const [respond, message] of [
        [() => new Response("<html>oops</html>"), /did not answer with JSON/],
        [() => Response.json({ repos: "no" }), /not a list of repos/],
        [() => Response.json([{ host_paths: {} }]), /repo #1 has no slug/],
        [() => new Response("no", { status: 401 }), /answered 401; check STATE_HUB_TOKEN/],
        [() => new Response("boom", { status: 503 }), /answered 503/],
      ] as const
    ) {
      await withHub(respond, async (url) => {
        const r = await discover(e, ["--hub", url, "--host", "h"], {
          STATE_HUB_TOKEN: "secret-tok",
        });
        assert.equal(r.code, 1, r.stdout);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trimEnd().split("\n").length, 1);
        assert.ok(!r.stderr.includes("secret-tok"));
      });
    }
  },
);

Deno.test("hub: a hang hits the deadline; an oversized body is refused", async () => {
  let release = () => {};
  const hung = new Promise<void>((r) => release = r);
  await withHub(async () => {
    await hung;
    return Response.json([]);
  }, async (url) => {
    const started = Date.now();
    await assert.rejects(
      discoverScheduledRuns({ source: { kind: "hub", url }, host: "h", hubTimeoutMs: 300 }),
      (err: Error) =>
        err instanceof RosterSourceError && /did not answer within 300 ms/.test(err.message),
    );
    assert.ok(Date.now() - started < 3000);
    release();
  });
  await withHub(
    () => new Response("[" + '{"slug":"x"},'.repeat(20_000) + '{"slug":"y"}]'),
    async (url) => {
      await assert.rejects(
        fetchHubRoster({ url, maxBytes: 64 * 1024 }),
        (err: Error) => err instanceof HubError && /more than 65536 bytes/.test(err.message),
      );
    },
  );
});

cliTest(
  "roster discover: --roster FILE and --scan DIR need no server; jsonl and table",
  async (e) => {
    const f = await fleet();
    try {
      const roster = `${f.dir}/roster.yml`;
      await Deno.writeTextFile(
        roster,
        [
          'version: "1"',
          "repos:",
          "  - slug: eligible",
          `    path: ${f.eligible}`,
          "  - slug: missing",
          `    path: ${f.noManifest}`,
          "",
        ].join("\n"),
      );
      const r = await discover(e, ["--roster", roster, "--host", "anything"]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.equal(body.stats.source, "roster-file");
      assert.equal(body.scheduled_runs.length, 2);
      assert.deepEqual(body.skipped, [{ repo: "missing", reason: "no-manifest" }]);

      const s = await discover(e, ["--scan", f.dir, "--host", "anything", "--format", "jsonl"]);
      assert.equal(s.code, 0, s.stderr);
      const lines = s.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.filter((l) => l.scheduled_run).length, 2);
      assert.equal(lines.filter((l) => l.skipped).length, 2);
      assert.equal(lines.at(-1).stats.source, "scan");

      const t = await discover(e, ["--scan", f.dir, "--host", "x", "--format", "table"]);
      assert.match(t.stdout, /^REPO +AGENT +CADENCE +CRON +TIMEZONE +ROOT/);
      assert.match(
        t.stdout,
        /skipped 2:\n {2}invalid: invalid-manifest\n {2}no-manifest: no-manifest\n$/,
      );

      const bad = await discover(e, ["--roster", `${f.dir}/nope.yml`, "--host", "x"]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /roster file .*nope\.yml does not exist/);
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  },
);

cliTest("roster discover: usage errors exit 2", async (e) => {
  for (
    const [args, message] of [
      [["--due", "yesterday"], /--due 'yesterday' must be START\/END/],
      [["--due", "2026-11-23T10:00:00Z/2026-11-23T09:00:00Z"], /ends before it starts/],
      [
        ["--due", "2026-11-23T10:00:00Z/PT1H", "--scatter", "soon"],
        /option '--scatter' must be a duration such as 30m, 2h, 7d or PT1H \(0 for none\), got 'soon'/,
      ],
      [["--scatter", "PT1H"], /--scatter only applies with --due/],
      [["--hub", "http://x", "--scan", "."], /give one roster source/],
      [["--concurrency", "0"], /option '--concurrency' must be a whole number from 1 to 256/],
      [
        ["--due", "2026-11-23T10:00:00Z/PT1H", "--scatter", "8d"],
        /option '--scatter' must be a duration of at most 7 days, got '8d'/,
      ],
      [["--due", "2026-01-01T00:00:00Z/P400D"], /--due '.*' is longer than 366 days/],
    ] as const
  ) {
    const r = await discover(e, [...args, "--host", "h"]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

Deno.test("durations: ISO 8601 and short forms", () => {
  assert.equal(parseDuration("PT1H"), 3_600_000);
  assert.equal(parseDuration("P1DT30M"), 86_400_000 + 1_800_000);
  assert.equal(parseDuration("PT90S"), 90_000);
  assert.equal(parseDuration("30m"), 1_800_000);
  assert.equal(parseDuration("2d"), 172_800_000);
  for (const bad of ["P", "PT", "1h30", "H1", "", "-PT1H"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

Deno.test("roster: a manifest naming an installed (not packaged) agent is eligible; a typo is not", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-installed-" }));
  try {
    for (const [name, agent] of [["custom", "house-style"], ["typo", "house-styel"]]) {
      await Deno.mkdir(`${dir}/${name}/.kaizen`, { recursive: true });
      await Deno.mkdir(`${dir}/${name}/agents`);
      await Deno.writeTextFile(`${dir}/${name}/agents/agent-house-style.md`, "# House style\n");
      await Deno.writeTextFile(
        `${dir}/${name}/.kaizen/schedule.yml`,
        `version: "1"\nagents:\n  ${agent}:\n    cadence: daily\n`,
      );
    }
    const r = await discoverScheduledRuns({
      source: {
        kind: "entries",
        entries: ["custom", "typo"].map((slug) => ({
          slug,
          domain: null,
          host_paths: { "*": `${dir}/${slug}` },
        })),
      },
      host: "h",
    });
    assert.deepEqual(r.scheduled_runs.map((x) => `${x.repo}/${x.agent}`), ["custom/house-style"]);
    assert.equal(r.skipped[0].reason, "invalid-manifest");
    assert.match(r.skipped[0].detail![0], /house-styel.*did you mean 'house-style'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("roster: a checkout path that is a file is unreachable; a symlinked .kaizen out of the repo is refused", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-odd-" }));
  try {
    await Deno.writeTextFile(`${dir}/file`, "not a repo");
    await Deno.mkdir(`${dir}/outside/.kaizen`, { recursive: true });
    await Deno.writeTextFile(`${dir}/outside/.kaizen/schedule.yml`, VALID);
    await Deno.mkdir(`${dir}/linked`);
    await Deno.symlink(`${dir}/outside/.kaizen`, `${dir}/linked/.kaizen`);
    const r = await discoverScheduledRuns({
      source: {
        kind: "entries",
        entries: ["file", "linked"].map((slug) => ({
          slug,
          domain: null,
          host_paths: { "*": `${dir}/${slug}` },
        })),
      },
      host: "h",
    });
    assert.deepEqual(r.scheduled_runs, []);
    assert.deepEqual(r.skipped.map((s) => [s.repo, s.reason]), [["file", "unreachable"], [
      "linked",
      "invalid-manifest",
    ]]);
    assert.match(r.skipped[1].detail![0], /resolves outside the repository/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hub client: /repos/ goes on the path of a base URL with a prefix, a query or a fragment", async () => {
  await withHub(() => Response.json([]), async (url, seen) => {
    await fetchHubRoster({ url: `${url}/api/v1/?tenant=a#frag` });
    await fetchHubRoster({ url: `${url}/api/v1/?tenant=a`, hubFilter: true, domain: "d" });
    assert.equal(seen[0].url.pathname, "/api/v1/repos/");
    assert.equal(seen[0].url.search, "?tenant=a");
    assert.equal(seen[1].url.pathname, "/api/v1/repos/");
    assert.deepEqual(Object.fromEntries(seen[1].url.searchParams), {
      tenant: "a",
      kaizen_schedule_enabled: "true",
      domain: "d",
    });
  });
});
