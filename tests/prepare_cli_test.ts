/**
 * `kaizen schedule prepare` and `kaizen plugins list` as subprocesses, from
 * source and from the bundle (`dist/kaizen.js`, built by `deno task bundle`).
 *
 * Fake secrets are assembled at run time so this file never holds anything
 * that looks like a live credential.
 */
import assert from "node:assert/strict";
import { BundleModel } from "../core/bundle/model.ts";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { ALNUM, B32, fake } from "./_fake_secrets.ts";

const NOW = "2026-11-23T08:00:00Z";
const PILOT = `${REPO_ROOT}/examples/pilot`;
const PILOT_REAL = Deno.realPathSync(PILOT);
const SECTION_TITLES = [
  "Agent prompt",
  "Project memory",
  "Metrics",
  "Repository pointers",
  "Before you finish",
];
const SECTION_IDS = ["prompt", "memory", "metrics", "pointers", "session-close"];
const MANIFEST =
  'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n';

const XDG = EMPTY_CONFIG_HOME;

interface RunOpts {
  env?: Record<string, string>;
  cwd?: string;
}

function prepare(entry: CliEntry, args: string[], opts: RunOpts = {}) {
  return runCli(entry, ["schedule", "prepare", ...args], {
    cwd: opts.cwd,
    env: { XDG_CONFIG_HOME: XDG, KAIZEN_REPO: "", ...opts.env },
  });
}

async function prepareJson(entry: CliEntry, args: string[], opts: RunOpts = {}) {
  const r = await prepare(entry, [...args, "--format", "json"], opts);
  assert.equal(r.code, 0, r.stderr);
  // deno-lint-ignore no-explicit-any
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch (err) {
    throw new Error(`stdout is not JSON (${err}): ${r.stdout.slice(0, 500)}`);
  }
  return { ...r, json };
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Runs `fn` with a temp repo holding `files`, removing it afterwards. */
async function withRepo(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await tempRepo(files));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertNoStackTrace(text: string) {
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, `stack trace in: ${text}`);
  assert.ok(!text.includes("internal error"), text);
}

function sectionOf(json: { sections: { id: string }[] }, id: string) {
  // deno-lint-ignore no-explicit-any
  return json.sections.find((s) => s.id === id) as any;
}

// ---------------------------------------------------------------------------
// The pilot

cliTest(
  "prepare: pilot markdown bundle has the five sections, metrics, TODO items and close commands",
  async (entry) => {
    const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "a clean pilot prepares without diagnostics");
    const out = r.stdout;
    assert.ok(out.startsWith("# Orientation: coach in pilot\n"), out.slice(0, 200));
    // Section headings, each once at level 2, in order.
    let last = -1;
    for (const title of SECTION_TITLES) {
      const matches = out.match(new RegExp(`^## ${title}$`, "gm")) ?? [];
      assert.equal(matches.length, 1, `## ${title} once`);
      const at = out.indexOf(`\n## ${title}\n`);
      assert.ok(at > last, `## ${title} after the previous section`);
      last = at;
    }
    // Schedule line from the manifest.
    assert.match(out, /\| Schedule \| weekly, cron `0 9 \* \* 1`, Europe\/Berlin, enabled \|/);
    assert.match(out, /\| Prepared \| 2026-11-23T08:00:00Z by kaizen /);
    // Memory (headings demoted below the section heading).
    assert.match(out, /^### Memory — coach$/m);
    assert.match(out, /^#### 2026-11-16$/m);
    assert.ok(out.includes("VAT used `round()`"));
    // Metrics table values.
    for (
      const row of [
        "| Runs | 4 |",
        "| Success rate | 75.0% |",
        "| Average time | 16m 49s |",
        "| Average quality | 0.65 |",
        "| Last run succeeded | no |",
      ]
    ) {
      assert.ok(out.includes(row), row);
    }
    assert.ok(
      out.includes(
        "| 2026-11-16T09:18:03Z | failure | 7m 0s | 0.30 | baseline unavailable: fastapi not installed on runner |",
      ),
    );
    // Pointers: SCOPE quoted, TODO open items only.
    assert.ok(out.includes("> - Deployment, CI secrets and release configuration."));
    assert.ok(out.includes("**`TODO.md`** — 10 open items:"));
    assert.ok(out.includes("- [ ] Support reduced VAT rates (DE 7%) per line item"));
    assert.ok(out.includes("- [ ] Pin test dependencies in a `requirements-dev.txt`"));
    assert.ok(
      !out.includes("Round VAT half up instead of banker's rounding"),
      "done items are not listed",
    );
    // Session close with the absolute root.
    const close = out.slice(out.indexOf("\n## Before you finish\n"));
    assert.ok(
      close.includes(
        `kaizen metrics record coach --success --time <s> --quality <0-1> --target ${PILOT_REAL}\n`,
      ),
    );
    assert.ok(
      close.includes(`kaizen memory add coach "<what you learned>" --target ${PILOT_REAL}\n`),
    );
    assert.match(
      out,
      /\n---\n_kaizen bundle `[0-9a-f]{16}` · kaizen schedule prepare coach --target \S+ --repo \S+_\n$/,
    );
  },
);

cliTest(
  "prepare: --format json has the documented fields, exact sizes, and matches BundleModel",
  async (entry) => {
    const { json, stdout, stderr } = await prepareJson(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
    ]);
    assert.equal(stderr, "");
    for (
      const key of [
        "agent",
        "repo",
        "root",
        "cadence",
        "generated_at",
        "prepare_command",
        "format",
        "agent_prompt_found",
        "has_memory",
        "has_metrics",
        "pointers",
        "bytes",
        "session_close",
        "sections",
        "tokens",
        "redactions",
        "sha256",
      ]
    ) {
      assert.ok(Object.hasOwn(json, key), `missing ${key}`);
    }
    BundleModel.parse(json);
    assert.equal(json.agent, "coach");
    assert.equal(json.repo, "pilot");
    assert.equal(json.root, PILOT_REAL);
    assert.ok(json.root.startsWith("/"));
    assert.equal(json.cadence, "weekly");
    assert.equal(json.generated_at, NOW);
    assert.equal(
      json.prepare_command,
      `kaizen schedule prepare coach --target ${PILOT_REAL} --repo ${json.repo} --format json`,
    );
    assert.equal(json.format, "json");
    assert.equal(json.agent_prompt_found, true);
    assert.equal(json.agent_prompt_source, "packaged");
    assert.equal(json.has_memory, true);
    assert.equal(json.has_metrics, true);
    assert.deepEqual(json.pointers, ["scope", "todo"]);
    assert.equal(json.bytes, bytes(stdout), "bytes is the exact size of stdout");
    assert.deepEqual(json.session_close, [
      `kaizen metrics record coach --success --time <s> --quality <0-1> --target ${PILOT_REAL}`,
      `kaizen memory add coach "<what you learned>" --target ${PILOT_REAL}`,
    ]);
    assert.deepEqual(json.sections.map((s: { id: string }) => s.id), SECTION_IDS);
    assert.deepEqual(json.sections.map((s: { title: string }) => s.title), SECTION_TITLES);
    for (const s of json.sections) {
      for (const k of ["id", "title", "source", "bytes", "tokens", "truncated"]) {
        assert.ok(
          Object.hasOwn(s, k),
          `${s.id}.${k}`,
        );
      }
      assert.equal(s.bytes, bytes(s.content), `${s.id}.bytes`);
      assert.ok(Number.isInteger(s.tokens) && s.tokens > 0, `${s.id}.tokens`);
      assert.equal(s.truncated, false);
      assert.equal(s.status, "ok");
    }
    assert.deepEqual(json.sections.map((s: { source: string | null }) => s.source), [
      "packaged:coach",
      ".kaizen/agents/coach/memory.md",
      ".kaizen/metrics/coach/summary.json",
      "SCOPE.md, TODO.md",
      null,
    ]);
    assert.equal(
      json.tokens,
      json.sections.reduce((n: number, s: { tokens: number }) => n + s.tokens, 0),
    );
    assert.equal(json.token_encoding, "cl100k_base");
    assert.equal(json.redactions, 0);
    assert.deepEqual(json.warnings, []);
    assert.match(json.sha256, /^[0-9a-f]{64}$/);
    assert.equal(
      sectionOf(json, "metrics").data.success_rate,
      0.75,
      "metrics kept as data in JSON",
    );
    assert.equal(
      stdout,
      JSON.stringify(json, null, 2) + "\n",
      "stable two-space JSON with a final newline",
    );
  },
);

cliTest(
  "prepare: same inputs and --now give byte-identical output; --now only moves generated_at",
  async (entry) => {
    const args = ["coach", "--target", PILOT, "--now", NOW];
    const m1 = await prepare(entry, args);
    const m2 = await prepare(entry, args);
    assert.equal(m1.code, 0);
    assert.equal(m1.stdout, m2.stdout, "markdown byte-identical");
    const j1 = await prepareJson(entry, args);
    const j2 = await prepareJson(entry, args);
    assert.equal(j1.stdout, j2.stdout, "json byte-identical");

    const later = "2027-01-04T09:30:00Z";
    const j3 = await prepareJson(entry, ["coach", "--target", PILOT, "--now", later]);
    assert.equal(j3.json.generated_at, later);
    assert.equal(j3.json.sha256, j1.json.sha256, "content hash ignores the clock");
    assert.deepEqual(
      { ...j3.json, generated_at: NOW },
      j1.json,
      "nothing but generated_at differs",
    );
    assert.equal(j3.stdout.replace(later, NOW), j1.stdout);

    const m3 = await prepare(entry, ["coach", "--target", PILOT, "--now", later]);
    assert.equal(
      m3.stdout.replace(later, NOW),
      m1.stdout,
      "markdown differs only in the Prepared line",
    );
    // The markdown footer carries the same hash as the JSON.
    assert.ok(m1.stdout.includes(`_kaizen bundle \`${j1.json.sha256.slice(0, 16)}\``));
  },
);

// ---------------------------------------------------------------------------
// Sections present / absent

cliTest("prepare: a repo with only a manifest says so in every optional section", async (entry) => {
  await withRepo({ ".kaizen/schedule.yml": MANIFEST }, async (dir) => {
    const { json, stderr } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
    assert.equal(stderr, "");
    BundleModel.parse(json);
    assert.equal(json.has_memory, false);
    assert.equal(json.has_metrics, false);
    assert.deepEqual(json.pointers, []);
    assert.equal(json.agent_prompt_found, true);
    assert.equal(json.agent_prompt_source, "packaged");
    assert.equal(json.cadence, "weekly");
    assert.equal(json.schedule.manifest, "valid");
    assert.deepEqual(
      json.sections.map((s: { id: string }) => s.id),
      SECTION_IDS,
      "absent sections still appear, as notes",
    );
    for (const id of ["memory", "metrics", "pointers"]) {
      assert.equal(sectionOf(json, id).status, "missing", id);
    }
    assert.match(sectionOf(json, "memory").content, /No memory yet/);
    assert.match(sectionOf(json, "metrics").content, /No metrics yet/);
    assert.match(sectionOf(json, "pointers").content, /No SCOPE\.md or TODO\.md/);

    const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
    assert.equal(md.code, 0);
    assert.match(
      md.stdout,
      /No memory yet \(`\.kaizen\/agents\/coach\/memory\.md` does not exist\)/,
    );
    assert.match(
      md.stdout,
      /No metrics yet \(`\.kaizen\/metrics\/coach\/summary\.json` does not exist\)/,
    );
    assert.match(md.stdout, /No SCOPE\.md or TODO\.md in the repository root/);
  });
});

cliTest("prepare: an empty memory.md counts as no memory", async (entry) => {
  await withRepo({ ".kaizen/agents/coach/memory.md": "  \n\n" }, async (dir) => {
    const { json } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
    assert.equal(json.has_memory, false);
    assert.match(sectionOf(json, "memory").content, /No memory yet \(`[^`]+` is empty\)/);
  });
});

cliTest("prepare: each optional section present on its own", async (entry) => {
  const cases: [Record<string, string>, (json: Record<string, unknown>) => void][] = [
    [{ ".kaizen/agents/coach/memory.md": "# Memory\n\n- only memory\n" }, (j) => {
      assert.equal(j.has_memory, true);
      assert.equal(j.has_metrics, false);
      assert.deepEqual(j.pointers, []);
    }],
    [{ ".kaizen/metrics/coach/summary.json": '{"runs": 2, "success_rate": 0.5}' }, (j) => {
      assert.equal(j.has_memory, false);
      assert.equal(j.has_metrics, true);
    }],
    [{ "SCOPE.md": "# Scope\n" }, (j) => assert.deepEqual(j.pointers, ["scope"])],
    [{ "TODO.md": "- [ ] one\n" }, (j) => assert.deepEqual(j.pointers, ["todo"])],
  ];
  for (const [files, check] of cases) {
    await withRepo(files, async (dir) => {
      const { json } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      check(json);
    });
  }
});

cliTest(
  "prepare: an installed agents/agent-coach.md wins over the packaged prompt",
  async (entry) => {
    await withRepo({
      "agents/agent-coach.md":
        "# House coach\n\nINSTALLED-PROMPT-MARKER: follow the house rules.\n",
      "agents/agent-house.md": "# House-only agent\n\nHOUSE-ONLY-MARKER\n",
    }, async (dir) => {
      const { json } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(json.agent_prompt_found, true);
      assert.equal(json.agent_prompt_source, "installed");
      const prompt = sectionOf(json, "prompt");
      assert.equal(prompt.source, "agents/agent-coach.md");
      assert.match(prompt.content, /INSTALLED-PROMPT-MARKER/);
      assert.doesNotMatch(prompt.content, /You are the coach for this repository/);
      const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.match(md.stdout, /\| Agent \| coach \(installed prompt\) \|/);
      assert.match(md.stdout, /^### House coach$/m);
      // An agent that exists only as an installed prompt is known too.
      const house = await prepareJson(entry, ["house", "--target", dir, "--now", NOW]);
      assert.equal(house.json.agent_prompt_source, "installed");
      assert.match(sectionOf(house.json, "prompt").content, /HOUSE-ONLY-MARKER/);
    });
  },
);

// ---------------------------------------------------------------------------
// Manifest states and agents

cliTest(
  "prepare: no manifest still prepares; cadence null and the bundle says so",
  async (entry) => {
    await withRepo({ "TODO.md": "- [ ] x\n" }, async (dir) => {
      const { json, stderr } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(json.cadence, null);
      assert.deepEqual(json.schedule, {
        manifest: "absent",
        listed: false,
        enabled: null,
        cron: null,
        timezone: null,
      });
      assert.match(stderr, /notice: no .*\.kaizen\/schedule\.yml; the bundle has no cadence/);
      const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(md.code, 0);
      assert.match(
        md.stdout,
        /\| Schedule \| no `\.kaizen\/schedule\.yml` in this repository \(cadence unknown\) \|/,
      );
    });
  },
);

cliTest("prepare: an invalid manifest warns on stderr and still prepares", async (entry) => {
  for (
    const manifest of [
      "version: [unclosed\n",
      'version: "1"\nagents:\n  coach:\n    cadence: hourly-ish\n',
    ]
  ) {
    await withRepo({ ".kaizen/schedule.yml": manifest }, async (dir) => {
      const { json, stderr } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.match(stderr, /warning: .*schedule\.yml is invalid; preparing without schedule data/);
      assertNoStackTrace(stderr);
      assert.equal(json.schedule.manifest, "invalid");
      assert.equal(json.cadence, null);
      const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(md.code, 0);
      assert.match(md.stdout, /`\.kaizen\/schedule\.yml` is invalid/);
    });
  }
});

cliTest(
  "prepare: an agent not listed in the manifest warns and prepares without cadence",
  async (entry) => {
    await withRepo({ ".kaizen/schedule.yml": MANIFEST }, async (dir) => {
      const { json, stderr } = await prepareJson(entry, [
        "optimization",
        "--target",
        dir,
        "--now",
        NOW,
      ]);
      assert.match(stderr, /warning: agent 'optimization' is not listed in /);
      assert.equal(json.schedule.listed, false);
      assert.equal(json.cadence, null);
    });
  },
);

cliTest(
  "prepare: a disabled agent warns on stderr and the bundle is still prepared",
  async (entry) => {
    const md = await prepare(entry, ["tdd-workflow", "--target", PILOT, "--now", NOW]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(
      md.stderr,
      /warning: agent 'tdd-workflow' is disabled in .*schedule\.yml; preparing anyway/,
    );
    assert.match(
      md.stdout,
      /\| Schedule \| monthly, cron `[^`]+`, Europe\/Berlin, \*\*disabled\*\* \|/,
    );
    assert.match(md.stdout, /^## Agent prompt$/m);
    const { json } = await prepareJson(entry, ["tdd-workflow", "--target", PILOT, "--now", NOW]);
    assert.equal(json.cadence, "monthly");
    assert.equal(json.schedule.enabled, false);
    assert.equal(json.has_memory, false);
  },
);

cliTest(
  "prepare: an unknown agent exits 1 listing the known agents, with a suggestion for typos",
  async (entry) => {
    const r = await prepare(entry, ["nope", "--target", PILOT, "--now", NOW]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: unknown agent 'nope'; known agents: coach, optimization, tdd-workflow\n$/,
    );
    const typo = await prepare(entry, ["coch", "--target", PILOT]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /unknown agent 'coch' \(did you mean 'coach'\?\); known agents: /);
    // A name that is not even a valid agent name, with a control sequence in it.
    const evil = await prepare(entry, ["../\u001b[31mx", "--target", PILOT]);
    assert.equal(evil.code, 1);
    assert.ok(!evil.stderr.includes("\u001b"), "control characters escaped in the error");
    assertNoStackTrace(evil.stderr);
  },
);

// ---------------------------------------------------------------------------
// Malformed inputs

cliTest(
  "prepare: a malformed summary.json is a warning in the bundle, not a crash",
  async (entry) => {
    await withRepo({
      ".kaizen/schedule.yml": MANIFEST,
      ".kaizen/metrics/coach/summary.json": '{"runs": 3, "success_rate": ',
    }, async (dir) => {
      const { json, stderr } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assertNoStackTrace(stderr);
      assert.match(stderr, /warning: \.kaizen\/metrics\/coach\/summary\.json is not valid JSON/);
      assert.ok(json.warnings.length > 0);
      assert.match(json.warnings.join("\n"), /summary\.json is not valid JSON/);
      const metrics = sectionOf(json, "metrics");
      assert.equal(metrics.status, "warning");
      assert.equal(json.has_metrics, false);
      assert.match(metrics.content, /is not valid JSON/);
      const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(md.code, 0);
      assert.match(
        md.stdout,
        /> \*\*Warnings\*\*\n>\n> - \.kaizen\/metrics\/coach\/summary\.json is not valid JSON/,
      );
      assertNoStackTrace(md.stderr);
    });
    // Valid JSON that is not an object.
    await withRepo({ ".kaizen/metrics/coach/summary.json": "[1, 2, 3]" }, async (dir) => {
      const { json } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(sectionOf(json, "metrics").status, "warning");
      assert.match(json.warnings.join("\n"), /not a JSON object/);
    });
  },
);

// ---------------------------------------------------------------------------
// Containment and limits

const OUTSIDE_MARKER = "OUTSIDE-REPO-MARKER-5e1f0c";

cliTest(
  "prepare: symlinks resolving outside the repo are refused and reported; inside ones are fine",
  async (entry) => {
    const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-outside-" }));
    await Deno.writeTextFile(
      `${outside}/secret.md`,
      `# Stolen\n\n${OUTSIDE_MARKER}\n- [ ] ${OUTSIDE_MARKER}\n`,
    );
    await Deno.writeTextFile(
      `${outside}/summary.json`,
      `{"runs": 1, "notes": "${OUTSIDE_MARKER}"}`,
    );
    try {
      await withRepo({
        "docs/todo-real.md": "- [ ] inside-linked item\n",
        ".kaizen/schedule.yml": MANIFEST,
      }, async (dir) => {
        await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
        await Deno.mkdir(`${dir}/.kaizen/metrics/coach`, { recursive: true });
        await Deno.mkdir(`${dir}/agents`);
        await Deno.symlink(`${outside}/secret.md`, `${dir}/SCOPE.md`);
        await Deno.symlink(`${outside}/secret.md`, `${dir}/.kaizen/agents/coach/memory.md`);
        await Deno.symlink(`${outside}/summary.json`, `${dir}/.kaizen/metrics/coach/summary.json`);
        await Deno.symlink(`${outside}/secret.md`, `${dir}/agents/agent-coach.md`);
        await Deno.symlink("docs/todo-real.md", `${dir}/TODO.md`);

        const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
        assert.equal(md.code, 0, md.stderr);
        const j = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
        for (const r of [md, j]) {
          assert.ok(!r.stdout.includes(OUTSIDE_MARKER), "outside content never reaches stdout");
          assert.ok(!r.stderr.includes(OUTSIDE_MARKER), "outside content never reaches stderr");
          assert.match(r.stderr, /SCOPE\.md not read: symlink resolves outside the repository/);
          assert.match(
            r.stderr,
            /\.kaizen\/agents\/coach\/memory\.md not read: symlink resolves outside the repository/,
          );
          assert.match(
            r.stderr,
            /\.kaizen\/metrics\/coach\/summary\.json not read: symlink resolves outside/,
          );
          assert.match(r.stderr, /agents\/agent-coach\.md not used: symlink resolves outside/);
        }
        const warnings = j.json.warnings.join("\n");
        assert.match(warnings, /SCOPE\.md/);
        assert.match(warnings, /memory\.md/);
        assert.equal(j.json.has_memory, false);
        assert.equal(sectionOf(j.json, "memory").status, "warning");
        assert.equal(j.json.has_metrics, false);
        assert.equal(j.json.agent_prompt_source, "packaged", "falls back to the packaged prompt");
        assert.deepEqual(j.json.pointers, ["todo"], "the inside symlink is followed");
        assert.match(sectionOf(j.json, "pointers").content, /inside-linked item/);
        assert.match(md.stdout, /inside-linked item/);
      });
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
);

cliTest(
  "prepare: a dangling symlink pointing outside is refused, one pointing inside is just missing",
  async (entry) => {
    await withRepo({ "README.md": "x" }, async (dir) => {
      await Deno.symlink("/nonexistent-kaizen-dir/secret.md", `${dir}/SCOPE.md`);
      await Deno.symlink("docs/not-there.md", `${dir}/TODO.md`);
      const { json, stderr } = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.match(stderr, /SCOPE\.md not read: symlink points outside the repository/);
      assert.doesNotMatch(stderr, /TODO\.md/);
      assert.deepEqual(json.pointers, []);
    });
  },
);

cliTest(
  "prepare: the per-file size cap refuses big files (default 1 MiB, --max-file-bytes)",
  async (entry) => {
    const big = "- a line of memory that repeats\n".repeat(Math.ceil((2 * 1024 * 1024) / 32));
    await withRepo(
      { ".kaizen/agents/coach/memory.md": big, "TODO.md": "- [ ] small item\n" },
      async (dir) => {
        const { json, stderr, stdout } = await prepareJson(entry, [
          "coach",
          "--target",
          dir,
          "--now",
          NOW,
        ]);
        assert.match(stderr, /memory\.md not read: file is \d+ bytes, over the 1048576-byte cap/);
        assert.equal(json.has_memory, false);
        assert.equal(sectionOf(json, "memory").status, "warning");
        assert.ok(stdout.length < 100_000, "the big file is not in the bundle");
        assert.deepEqual(json.pointers, ["todo"]);
      },
    );
    const todo200 = "- [ ] " + "x".repeat(193) + "\n";
    assert.equal(bytes(todo200), 200);
    await withRepo({ "TODO.md": todo200, "SCOPE.md": "tiny\n" }, async (dir) => {
      const { json, stderr } = await prepareJson(entry, [
        "coach",
        "--target",
        dir,
        "--now",
        NOW,
        "--max-file-bytes",
        "100",
      ]);
      assert.match(stderr, /TODO\.md not read: file is 200 bytes, over the 100-byte cap/);
      assert.deepEqual(json.pointers, ["scope"]);
      assert.ok(!sectionOf(json, "pointers").content.includes("xxxxxxxxxx"));
      // Without the flag the same file is read.
      const again = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.deepEqual(again.json.pointers, ["scope", "todo"]);
    });
    for (const bad of ["0", "-5", "1e3", "abc"]) {
      await withRepo({}, async (dir) => {
        const r = await prepare(entry, ["coach", "--target", dir, "--max-file-bytes", bad]);
        assert.equal(r.code, 2, `--max-file-bytes ${bad}`);
        assert.match(r.stderr, /option '--max-file-bytes' must be a whole number of at least 1/);
      });
    }
  },
);

cliTest("prepare: binary and non-UTF-8 files are reported, not included", async (entry) => {
  await withRepo({ "README.md": "x" }, async (dir) => {
    const enc = new TextEncoder();
    await Deno.writeFile(
      `${dir}/TODO.md`,
      new Uint8Array([...enc.encode("- [ ] BINARY-MARKER-a1\n"), 0, 1, 2, 0]),
    );
    await Deno.writeFile(
      `${dir}/SCOPE.md`,
      new Uint8Array([...enc.encode("LATIN1-MARKER-b2 caf"), 0xe9, 0x0a]),
    );
    for (const format of ["markdown", "json"]) {
      const r = await prepare(entry, ["coach", "--target", dir, "--now", NOW, "--format", format]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /TODO\.md not read: binary file \(contains NUL bytes\)/);
      assert.match(r.stderr, /SCOPE\.md not read: not valid UTF-8 text/);
      for (const marker of ["BINARY-MARKER-a1", "LATIN1-MARKER-b2"]) {
        assert.ok(!r.stdout.includes(marker), `${marker} in ${format}`);
        assert.ok(!r.stderr.includes(marker));
      }
      assert.ok(
        r.stdout.includes("TODO.md not read: binary file"),
        "reported in the bundle's warnings",
      );
      if (format === "json") assert.deepEqual(JSON.parse(r.stdout).pointers, []);
    }
  });
});

// ---------------------------------------------------------------------------
// Redaction

const AWS_ID = "AK" + "IA" + fake(16, B32, 11);
const AWS_ID_2 = "AK" + "IA" + fake(16, B32, 12);
const GHP = "gh" + "p_" + fake(36, ALNUM, 13);
const GHP_2 = "gh" + "p_" + fake(36, ALNUM, 14);
const PK_BODY = [fake(64, ALNUM, 15), fake(64, ALNUM, 16), fake(40, ALNUM, 17)];
const PRIVATE_KEY = [
  "-----BEGIN " + "RSA PRIVATE KEY-----",
  ...PK_BODY,
  "-----END " + "RSA PRIVATE KEY-----",
].join("\n");
const URL_PASSWORD = "Tr0ub4dor" + fake(10, ALNUM, 18);
const DB_URL = "postgres://deploy:" + URL_PASSWORD + "@db.internal.acme.test:5432/invoices";
/** Every value that must never be printed. */
const SECRET_VALUES = [AWS_ID, AWS_ID_2, GHP, GHP_2, ...PK_BODY, URL_PASSWORD];

function secretRepo(): Record<string, string> {
  return {
    ".kaizen/schedule.yml": MANIFEST,
    ".kaizen/agents/coach/memory.md": [
      "# Memory",
      "",
      `- Found the deploy key ${AWS_ID} in CI logs; asked for rotation.`,
      `- Token for the bot: ${GHP}`,
      `- DB: ${DB_URL}`,
      "",
      "```",
      PRIVATE_KEY,
      "```",
      "",
    ].join("\n"),
    "TODO.md":
      `# TODO\n\n- [ ] Rotate ${AWS_ID_2} before Friday\n- [ ] Remove ${GHP_2} from scripts/release.sh\n`,
    ".kaizen/metrics/coach/summary.json": JSON.stringify({
      agent: "coach",
      runs: 2,
      success_rate: 0.5,
      notes: `leaked ${AWS_ID}`,
      deploy_token: GHP,
    }),
    "agents/agent-coach.md":
      `# Coach (house)\n\nUse ${DB_URL} and ${AWS_ID_2} for the staging checks.\n`,
  };
}

function assertNoSecrets(text: string, where: string) {
  for (const v of SECRET_VALUES) {
    assert.ok(!text.includes(v), `secret ${v.slice(0, 6)}… found in ${where}`);
  }
}

cliTest(
  "prepare: planted secrets never reach stdout, stderr or --out, and are counted",
  async (entry) => {
    await withRepo(secretRepo(), async (dir) => {
      const md = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(md.code, 0, md.stderr);
      assertNoSecrets(md.stdout, "markdown stdout");
      assertNoSecrets(md.stderr, "markdown stderr");
      assert.match(md.stdout, /\[REDACTED:[a-z0-9@/_-]+\]/);
      assert.match(md.stdout, /\| Redacted \| \d+ secrets \|/);
      assert.match(md.stderr, /notice: redacted \d+ secrets from the bundle/);
      // Surrounding text survives.
      assert.ok(md.stdout.includes("in CI logs; asked for rotation."));
      assert.ok(md.stdout.includes("before Friday"));

      const j = await prepareJson(entry, ["coach", "--target", dir, "--now", NOW]);
      assertNoSecrets(j.stdout, "json stdout");
      assertNoSecrets(j.stderr, "json stderr");
      BundleModel.parse(j.json);
      // memory 4, TODO 2, metrics data 2 (the table is rendered from it), installed prompt 2.
      assert.ok(j.json.redactions >= 10, `redactions ${j.json.redactions}`);
      assert.equal(j.json.agent_prompt_source, "installed");
      // Structured data keeps its shape; only the secret values are replaced.
      const data = sectionOf(j.json, "metrics").data;
      assert.equal(data.runs, 2);
      assert.match(data.deploy_token, /^\[REDACTED:[a-z0-9-]+\]$/);
      assert.match(data.notes, /^leaked \[REDACTED:[a-z0-9-]+\]$/);
      assert.equal(j.json.bytes, bytes(j.stdout));

      const outDir = await Deno.makeTempDir({ prefix: "kaizen-out-" });
      try {
        for (const format of ["markdown", "json"]) {
          const file = `${outDir}/bundle.${format}`;
          const r = await prepare(entry, [
            "coach",
            "--target",
            dir,
            "--now",
            NOW,
            "--format",
            format,
            "--out",
            file,
          ]);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, "");
          assertNoSecrets(r.stderr, `${format} --out stderr`);
          assertNoSecrets(await Deno.readTextFile(file), `${format} --out file`);
        }
      } finally {
        await Deno.remove(outDir, { recursive: true });
      }
    });
  },
);

cliTest("prepare: a secret quoted by a JSON parse error never reaches a warning", async (entry) => {
  // JSON.parse error messages quote the start of the input; the warning built
  // from it goes to stderr and into the bundle's warnings.
  for (const body of [AWS_ID, `{"a": ${AWS_ID}}`, `[1, ${GHP}]`]) {
    await withRepo({ ".kaizen/metrics/coach/summary.json": body }, async (dir) => {
      for (const format of ["markdown", "json"]) {
        const r = await prepare(entry, [
          "coach",
          "--target",
          dir,
          "--now",
          NOW,
          "--format",
          format,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assertNoSecrets(r.stdout, `${format} stdout for summary.json ${body.slice(0, 8)}…`);
        assertNoSecrets(r.stderr, `${format} stderr for summary.json ${body.slice(0, 8)}…`);
      }
    });
  }
});

cliTest(
  "prepare: a token in a long run note is not partly leaked by the notes cut",
  async (entry) => {
    const note = "x".repeat(100) + " " + GHP;
    const record = {
      recorded_at: "2026-11-16T09:18:03Z",
      success: true,
      time_seconds: 60,
      quality: 0.5,
      notes: note,
    };
    await withRepo({
      ".kaizen/metrics/coach/summary.json": '{"runs": 1}',
      ".kaizen/metrics/coach/executions.jsonl": JSON.stringify(record) + "\n",
    }, async (dir) => {
      const r = await prepare(entry, ["coach", "--target", dir, "--now", NOW]);
      assert.equal(r.code, 0, r.stderr);
      // The notes column is shortened to 120 characters, which falls inside
      // the token; no prefix of it may be printed.
      const prefix = GHP.slice(0, 12);
      assert.ok(
        !r.stdout.includes(prefix),
        `a ${prefix.length}-char prefix of the token is printed`,
      );
    });
  },
);

// ---------------------------------------------------------------------------
// Control characters

cliTest(
  "prepare: terminal control sequences in repo files never reach stdout raw",
  async (entry) => {
    await withRepo({
      ".kaizen/agents/coach/memory.md":
        "# Memory\n\n- \u001b[31mRED-TEXT\u001b[0m and a bell\u0007 and C1 \u009b2J done\n",
      "TODO.md": "- [ ] \u001b]0;evil title\u0007 item\n",
      ".kaizen/metrics/coach/summary.json": '{"runs": 1, "custom": "\\u001b[2Jclear"}',
    }, async (dir) => {
      for (const format of ["markdown", "json"]) {
        const r = await prepare(entry, [
          "coach",
          "--target",
          dir,
          "--now",
          NOW,
          "--format",
          format,
        ]);
        assert.equal(r.code, 0, r.stderr);
        for (const c of ["\u001b", "\u0007", "\u009b"]) {
          assert.ok(!r.stdout.includes(c), `${format}: raw ${JSON.stringify(c)} on stdout`);
          assert.ok(!r.stderr.includes(c), `${format}: raw ${JSON.stringify(c)} on stderr`);
        }
        assert.ok(r.stdout.includes("RED-TEXT"), "the visible text stays");
        if (format === "json") {
          const json = JSON.parse(r.stdout);
          assert.ok(
            !sectionOf(json, "memory").content.includes("\u001b"),
            "stripped, not just escaped",
          );
          assert.ok(!sectionOf(json, "metrics").content.includes("\u001b"));
        }
      }
    });
  },
);

// ---------------------------------------------------------------------------
// Token budget

cliTest(
  "prepare: --max-tokens trims low-priority sections with a visible marker",
  async (entry) => {
    const full = await prepareJson(entry, ["coach", "--target", PILOT, "--now", NOW]);
    const fullTokens: number = full.json.tokens;
    const required = sectionOf(full.json, "prompt").tokens +
      sectionOf(full.json, "session-close").tokens;
    const budget = fullTokens - 200; // pointers alone absorbs the cut
    assert.ok(budget > required);
    const { json, stderr } = await prepareJson(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      String(budget),
    ]);
    assert.equal(stderr, "");
    BundleModel.parse(json);
    assert.ok(json.tokens <= budget, `${json.tokens} <= ${budget}`);
    assert.equal(json.max_tokens, budget);
    const pointers = sectionOf(json, "pointers");
    assert.equal(pointers.truncated, true);
    assert.match(
      pointers.content,
      /_\[kaizen: truncated to fit the token budget: kept about \d+ of \d+ tokens; full text in `SCOPE\.md, TODO\.md`\]_$/,
    );
    assert.equal(pointers.bytes, bytes(pointers.content));
    for (const id of ["prompt", "session-close", "memory", "metrics"]) {
      assert.equal(sectionOf(json, id).truncated, false, id);
      assert.equal(
        sectionOf(json, id).content,
        sectionOf(full.json, id).content,
        `${id} untouched`,
      );
    }
    assert.notEqual(json.sha256, full.json.sha256);

    const md = await prepare(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      String(budget),
    ]);
    assert.equal(md.code, 0);
    assert.match(md.stdout, /\| Size \| \d+ tokens \(cl100k_base\), budget \d+ \|/);
    assert.match(md.stdout, /_\[kaizen: truncated to fit the token budget/);
    assert.ok(md.stdout.includes(`--target ${PILOT_REAL}\n`), "session-close commands intact");
  },
);

cliTest(
  "prepare: a tight --max-tokens cuts several sections, never prompt or session-close",
  async (entry) => {
    const full = await prepareJson(entry, ["coach", "--target", PILOT, "--now", NOW]);
    const required = sectionOf(full.json, "prompt").tokens +
      sectionOf(full.json, "session-close").tokens;
    const budget = required + 60;
    const { json } = await prepareJson(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      String(budget),
    ]);
    assert.ok(json.tokens <= budget, `${json.tokens} <= ${budget}`);
    for (const id of ["prompt", "session-close"]) {
      assert.equal(sectionOf(json, id).truncated, false);
      assert.equal(sectionOf(json, id).content, sectionOf(full.json, id).content);
    }
    for (const id of ["memory", "metrics", "pointers"]) {
      assert.equal(
        sectionOf(json, id).truncated,
        true,
        id,
      );
    }
    const md = await prepare(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      String(budget),
    ]);
    assert.equal(md.code, 0);
    for (const title of ["Project memory", "Metrics", "Repository pointers"]) {
      const start = md.stdout.indexOf(`\n## ${title}\n`);
      const end = md.stdout.indexOf("\n## ", start + 1);
      assert.match(
        md.stdout.slice(start, end),
        /_\[kaizen: (truncated to fit|section omitted to fit|omitted to fit) the token budget/,
        `${title} marker`,
      );
    }
    const closing = (text: string) =>
      text.slice(text.indexOf("\n## Before you finish\n"), text.indexOf("\n---\n_kaizen bundle"));
    const plain = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW]);
    assert.equal(closing(md.stdout), closing(plain.stdout), "session-close rendered whole");
    assert.ok(closing(md.stdout).includes(`--target ${PILOT_REAL}`));
  },
);

cliTest(
  "prepare: in JSON, a section cut to nothing still carries a visible marker",
  async (entry) => {
    const full = await prepareJson(entry, ["coach", "--target", PILOT, "--now", NOW]);
    const required = sectionOf(full.json, "prompt").tokens +
      sectionOf(full.json, "session-close").tokens;
    const { json } = await prepareJson(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      String(required + 60),
    ]);
    for (const id of ["memory", "metrics", "pointers"]) {
      const s = sectionOf(json, id);
      assert.equal(s.truncated, true);
      assert.match(
        s.content,
        /_\[kaizen: /,
        `${id}: truncated content ${JSON.stringify(s.content)} has no marker`,
      );
    }
  },
);

cliTest(
  "prepare: a budget below prompt + session-close exits 1 with one line; bad values exit 2",
  async (entry) => {
    const r = await prepare(entry, [
      "coach",
      "--target",
      PILOT,
      "--now",
      NOW,
      "--max-tokens",
      "100",
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: the sections that are never cut \(prompt, session-close\) need \d+ tokens, over --max-tokens 100\n$/,
    );
    for (const bad of ["abc", "0", "-3", "2.5", ""]) {
      const b = await prepare(entry, ["coach", "--target", PILOT, "--max-tokens", bad]);
      assert.equal(b.code, 2, `--max-tokens '${bad}': ${b.stderr}`);
      assert.equal(b.stdout, "");
      assertNoStackTrace(b.stderr);
    }
    const abc = await prepare(entry, ["coach", "--target", PILOT, "--max-tokens", "abc"]);
    assert.match(
      abc.stderr,
      /option '--max-tokens' must be a whole number of at least 1, got 'abc'/,
    );
  },
);

// ---------------------------------------------------------------------------
// Output: --out, --repo, sinks

cliTest(
  "prepare: --out writes the same bytes stdout would have, and nothing to stdout",
  async (entry) => {
    const outDir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-out-" }));
    try {
      for (const format of ["markdown", "json"]) {
        const args = ["coach", "--target", PILOT, "--now", NOW, "--format", format];
        const direct = await prepare(entry, args);
        const file = `${outDir}/bundle-${format}.out`;
        const r = await prepare(entry, [...args, "--out", file]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, "");
        assert.equal(await Deno.readTextFile(file), direct.stdout, `${format}: file == stdout`);
      }
      // A relative --out resolves against the working directory; an existing file is replaced.
      await Deno.writeTextFile(`${outDir}/rel.md`, "old content");
      const rel = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--out",
        "rel.md",
      ], { cwd: outDir });
      assert.equal(rel.code, 0, rel.stderr);
      assert.ok(
        (await Deno.readTextFile(`${outDir}/rel.md`)).startsWith("# Orientation: coach in pilot"),
      );
      // No temporary files left behind.
      const names = [];
      for await (const e of Deno.readDir(outDir)) names.push(e.name);
      assert.deepEqual(names.sort(), ["bundle-json.out", "bundle-markdown.out", "rel.md"]);
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
);

cliTest(
  "prepare: --out into a missing folder exits 1 with one line and writes nothing",
  async (entry) => {
    const base = await Deno.makeTempDir({ prefix: "kaizen-out-" });
    try {
      const file = `${base}/no/such/dir/bundle.md`;
      const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW, "--out", file]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^kaizen: error: .*sink 'file' failed: /);
      assertNoStackTrace(r.stderr);
      const names = [];
      for await (const e of Deno.readDir(base)) names.push(e.name);
      assert.deepEqual(names, [], "no partial or temporary file");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
);

cliTest(
  "prepare: repo slug precedence is --repo, KAIZEN_REPO, git remote, directory name",
  async (entry) => {
    await withRepo({
      ".git/config":
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@host:org/my-service.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    }, async (dir) => {
      const args = ["coach", "--target", dir, "--now", NOW];
      const slug = async (extra: string[], env: Record<string, string> = {}) =>
        (await prepareJson(entry, [...args, ...extra], { env })).json.repo;
      assert.equal(await slug(["--repo", "from-flag"], { KAIZEN_REPO: "from-env" }), "from-flag");
      assert.equal(await slug([], { KAIZEN_REPO: "from-env" }), "from-env");
      assert.equal(await slug([]), "my-service");
      const md = await prepare(entry, args);
      assert.ok(md.stdout.startsWith("# Orientation: coach in my-service\n"));
      await Deno.remove(`${dir}/.git`, { recursive: true });
      assert.equal(await slug([]), dir.split("/").pop());
    });
  },
);

cliTest(
  "prepare: --sink names unknown sinks with the list (exit 2); file sink needs --out",
  async (entry) => {
    const r = await prepare(entry, ["coach", "--target", PILOT, "--sink", "nope"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /error: unknown sink 'nope'; available: stdout, file, nats, artifact-store\n$/,
    );
    const typo = await prepare(entry, ["coach", "--target", PILOT, "--sink", "stdot"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean 'stdout'/);
    const file = await prepare(entry, ["coach", "--target", PILOT, "--sink", "file"]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /the file sink needs --out FILE/);
    const outDir = await Deno.makeTempDir({ prefix: "kaizen-out-" });
    try {
      const both = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--sink",
        "stdout,file",
        "--out",
        `${outDir}/b.md`,
      ]);
      assert.equal(both.code, 0, both.stderr);
      assert.equal(await Deno.readTextFile(`${outDir}/b.md`), both.stdout);
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
);

cliTest("prepare: a missing --target or bad --now exits 2", async (entry) => {
  const t = await prepare(entry, ["coach", "--target", "/nonexistent-kaizen-target"]);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /--target '\/nonexistent-kaizen-target' does not exist/);
  const n = await prepare(entry, ["coach", "--target", PILOT, "--now", "yesterday"]);
  assert.equal(n.code, 2);
  assert.match(n.stderr, /--now 'yesterday' is not an ISO 8601 date-time/);
});

// ---------------------------------------------------------------------------
// plugins list

cliTest(
  "plugins list: shows the builtin plugin and its five sections (table and json)",
  async (entry) => {
    const env = { XDG_CONFIG_HOME: XDG };
    const table = await runCli(entry, ["plugins", "list", "--target", PILOT], { env });
    assert.equal(table.code, 0, table.stderr);
    const row = table.stdout.split("\n").find((l) => l.startsWith("builtin "));
    assert.ok(row, table.stdout);
    assert.match(row, /built-in/);
    assert.ok(
      row.includes(
        "prompt (100), memory (200), metrics (300), pointers (400), session-close (900)",
      ),
      row,
    );
    assert.match(row, /stdout, file/);

    const j = await runCli(entry, ["plugins", "list", "--target", PILOT, "--format", "json"], {
      env,
    });
    assert.equal(j.code, 0, j.stderr);
    const json = JSON.parse(j.stdout);
    const builtin = json.plugins.find((p: { name: string }) => p.name === "builtin");
    assert.ok(builtin);
    assert.deepEqual(builtin.origin, { kind: "builtin" });
    assert.deepEqual(builtin.sections.map((s: { id: string }) => s.id), SECTION_IDS);
    assert.deepEqual(builtin.sections.map((s: { order: number }) => s.order), [
      100,
      200,
      300,
      400,
      900,
    ]);
    assert.deepEqual(
      builtin.sections.filter((s: { required: boolean }) => s.required).map((s: { id: string }) =>
        s.id
      ),
      ["prompt", "session-close"],
    );
    assert.deepEqual(builtin.sinks.map((s: { name: string }) => s.name), [
      "stdout",
      "file",
      "nats",
      "artifact-store",
    ]);
  },
);
