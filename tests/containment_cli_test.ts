/**
 * Regression tests for issue 7's containment findings, through the real CLI
 * (source and bundle): what a hostile target repository can make `prepare`
 * print, read, hang on or run. Secret values are generated at random at test
 * time; nothing secret-shaped is committed.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type CliEntry,
  type CliResult,
  cliTest,
  EMPTY_CONFIG_HOME,
  runCli,
  tempRepo,
} from "./_cli.ts";

const NOW = "2026-11-23T08:00:00Z";
const MANIFEST =
  "version: 1\ntimezone: Europe/Berlin\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n";

/** A random alphanumeric value, fresh for every run. */
function randomValue(length = 24): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...crypto.getRandomValues(new Uint8Array(length))].map((b) => abc[b % abc.length]).join(
    "",
  );
}

/** Runs the CLI but kills it after `ms` (so a hang fails the test instead of stalling the suite). */
async function runBounded(entry: CliEntry, args: string[], ms = 30_000): Promise<CliResult> {
  const [cmd, ...rest] = entry.argv;
  const child = new Deno.Command(cmd, {
    args: [...rest, ...args],
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, ms);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

function prepare(entry: CliEntry, dir: string, extra: string[] = []) {
  return runCli(entry, ["schedule", "prepare", "coach", "--target", dir, "--now", NOW, ...extra]);
}

async function withRepo(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await tempRepo(files));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Terminal-affecting characters: C0/C1 controls other than \n and \t, and bidi controls.
// deno-lint-ignore no-control-regex -- finding them is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

cliTest(
  "finding 1: a secret in summary.json never reaches the metrics table (markdown, JSON, --out)",
  async (entry) => {
    const secret = randomValue();
    await withRepo({
      ".kaizen/schedule.yml": MANIFEST,
      ".kaizen/metrics/coach/summary.json": JSON.stringify({ runs: 3, db_password: secret }),
    }, async (dir) => {
      const md = await prepare(entry, dir);
      assert.equal(md.code, 0, md.stderr);
      assert.ok(!md.stdout.includes(secret), "markdown leaks the summary value");
      assert.ok(!md.stderr.includes(secret));
      assert.match(md.stdout, /\| db_password \| \[REDACTED:[a-z0-9-]+\] \|/);
      assert.match(md.stdout, /\| Runs \| 3 \|/);

      const j = await prepare(entry, dir, ["--format", "json"]);
      assert.equal(j.code, 0, j.stderr);
      assert.ok(!j.stdout.includes(secret), "JSON leaks the summary value");
      const json = JSON.parse(j.stdout);
      const metrics = json.sections.find((s: { id: string }) => s.id === "metrics");
      assert.equal(metrics.data.runs, 3, "data keeps its shape");
      assert.match(metrics.data.db_password, /^\[REDACTED:[a-z0-9-]+\]$/);
      assert.ok(json.redactions >= 1);

      const out = `${dir}/../bundle-${crypto.randomUUID()}.md`;
      try {
        const o = await prepare(entry, dir, ["--out", out]);
        assert.equal(o.code, 0, o.stderr);
        assert.ok(!(await Deno.readTextFile(out)).includes(secret), "--out leaks");
      } finally {
        await Deno.remove(out).catch(() => {});
      }
    });
  },
);

cliTest(
  "finding 5: a FIFO at TODO.md is refused with a warning, prepare does not hang",
  async (entry) => {
    await withRepo({ ".kaizen/schedule.yml": MANIFEST, "SCOPE.md": "# Scope\n" }, async (dir) => {
      const mk = await new Deno.Command("mkfifo", { args: [`${dir}/TODO.md`] }).output();
      assert.ok(mk.success, "mkfifo failed");
      const started = performance.now();
      const r = await runBounded(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        dir,
        "--now",
        NOW,
        "--format",
        "json",
      ]);
      assert.ok(performance.now() - started < 30_000, "prepare hung on a FIFO");
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.ok(
        json.warnings.some((w: string) => /^TODO\.md not read: a FIFO/.test(w)),
        JSON.stringify(json.warnings),
      );
      assert.match(
        r.stderr,
        /warning: TODO\.md not read: a FIFO \(named pipe\), not a regular file/,
      );
      assert.deepEqual(json.pointers, ["scope"]);
    });
  },
);

/** `{"a":{"a":…1…}}`, `depth` levels deep. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

cliTest(
  "finding 6: summary.json nested 8,000 (and 5,000) levels deep is cut with a warning, no crash, bounded output",
  async (entry) => {
    for (const depth of [8_000, 5_000]) {
      await withRepo({
        ".kaizen/schedule.yml": MANIFEST,
        ".kaizen/metrics/coach/summary.json": `{"runs": 4, "deep": ${nested(depth)}}`,
      }, async (dir) => {
        const j = await prepare(entry, dir, ["--format", "json"]);
        assert.equal(j.code, 0, `depth ${depth}: exit ${j.code}: ${j.stderr.slice(0, 300)}`);
        assert.ok(j.stdout.length < 200_000, `depth ${depth}: ${j.stdout.length} bytes of JSON`);
        const json = JSON.parse(j.stdout);
        assert.ok(
          json.warnings.some((w: string) => /structured data nested deeper than 32 levels/.test(w)),
          JSON.stringify(json.warnings),
        );
        const metrics = json.sections.find((s: { id: string }) => s.id === "metrics");
        assert.equal(metrics.data.runs, 4);
        assert.match(metrics.content, /\| Runs \| 4 \|/);
        const md = await prepare(entry, dir);
        assert.equal(md.code, 0, md.stderr.slice(0, 300));
        assert.ok(md.stdout.length < 100_000);
      });
    }
  },
);

cliTest(
  "finding 7: control and bidi characters in content and in the --target path never reach the terminal",
  async (entry) => {
    const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-ctl-" }));
    // A folder name with ESC, BEL and an RTL override; content with CR and bidi.
    const dir = `${base}/repo\u001b]0;pwned\u0007\u202eevil`;
    try {
      await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
      await Deno.writeTextFile(`${dir}/.kaizen/schedule.yml`, MANIFEST);
      await Deno.writeTextFile(
        `${dir}/.kaizen/agents/coach/memory.md`,
        "# Memory\n\n- fine line\r\n- overwritten\rshown\n- file\u202etxt.exe\u2066x\u2069 \u009b2J done\u0085\n",
      );
      await Deno.writeTextFile(
        `${dir}/TODO.md`,
        "# TODO\n\n- [ ] open \u001b[31mred\u001b[0m item\n",
      );
      for (const format of ["markdown", "json"]) {
        const r = await prepare(entry, dir, ["--format", format]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(
          !UNSAFE.test(r.stdout),
          `${format} stdout: ${JSON.stringify(r.stdout.match(UNSAFE))}`,
        );
        assert.ok(
          !UNSAFE.test(r.stderr),
          `${format} stderr: ${JSON.stringify(r.stderr.match(UNSAFE))}`,
        );
        assert.ok(
          !r.stdout.includes("\\u202e") && !r.stdout.includes("\\u001b"),
          `${format} escapes`,
        );
        assert.ok(r.stdout.includes("fine line"));
        assert.ok(r.stdout.includes("open red item"));
      }
      // Errors that quote the path are made printable too.
      const bad = await runCli(entry, [
        "schedule",
        "prepare",
        "nobody",
        "--target",
        dir,
      ]);
      assert.equal(bad.code, 1);
      assert.ok(!UNSAFE.test(bad.stdout + bad.stderr), JSON.stringify(bad.stderr));
      const missing = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        `${dir}-gone`,
      ]);
      assert.equal(missing.code, 2);
      assert.ok(!UNSAFE.test(missing.stderr), JSON.stringify(missing.stderr));
      assert.match(missing.stderr, /--target '.*\\u001b\]0;pwned\\u0007.*' does not exist/);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
);

cliTest(
  "finding 8: a refused executions.jsonl (symlink out, over the cap) is a warning, not silence",
  async (entry) => {
    const outside = await Deno.makeTempDir({ prefix: "kaizen-outside-" });
    try {
      await Deno.writeTextFile(
        `${outside}/executions.jsonl`,
        '{"recorded_at":"2026-11-20T08:00:00Z","success":true}\n',
      );
      await withRepo({
        ".kaizen/schedule.yml": MANIFEST,
        ".kaizen/metrics/coach/summary.json": '{"runs": 1}',
      }, async (dir) => {
        await Deno.symlink(
          `${outside}/executions.jsonl`,
          `${dir}/.kaizen/metrics/coach/executions.jsonl`,
        );
        const j = await prepare(entry, dir, ["--format", "json"]);
        assert.equal(j.code, 0, j.stderr);
        const json = JSON.parse(j.stdout);
        assert.ok(
          json.warnings.some((w: string) =>
            /^\.kaizen\/metrics\/coach\/executions\.jsonl not read: symlink resolves outside/.test(
              w,
            )
          ),
          JSON.stringify(json.warnings),
        );
        assert.ok(!j.stdout.includes("2026-11-20T08:00:00Z"));

        await Deno.remove(`${dir}/.kaizen/metrics/coach/executions.jsonl`);
        await Deno.writeTextFile(
          `${dir}/.kaizen/metrics/coach/executions.jsonl`,
          '{"success":true}\n'.repeat(200),
        );
        // The log is streamed from its running state or in chunks, never
        // loaded whole, so the per-file cap does not hide it (issue 17): its
        // 200 invalid lines are read and none is counted as a run.
        const c = await prepare(entry, dir, ["--format", "json", "--max-file-bytes", "1000"]);
        assert.equal(c.code, 0, c.stderr);
        const cj = JSON.parse(c.stdout);
        assert.ok(!cj.warnings.some((w: string) => /executions\.jsonl not read/.test(w)));
        const metrics = cj.sections.find((s: { id: string }) => s.id === "metrics");
        assert.equal(metrics.data.runs, 0);
      });
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
);

cliTest(
  "finding 8: an agents/ folder that is a symlink out of the repo is not followed",
  async (entry) => {
    const outside = await Deno.makeTempDir({ prefix: "kaizen-outside-" });
    try {
      await Deno.writeTextFile(
        `${outside}/agent-coach.md`,
        "# Coach from outside\n\nOUTSIDE-PROMPT\n",
      );
      await Deno.writeTextFile(`${outside}/agent-intruder.md`, "# Intruder\n");
      await withRepo({ ".kaizen/schedule.yml": MANIFEST }, async (dir) => {
        await Deno.symlink(outside, `${dir}/agents`);
        const j = await prepare(entry, dir, ["--format", "json"]);
        assert.equal(j.code, 0, j.stderr);
        assert.ok(!j.stdout.includes("OUTSIDE-PROMPT"));
        const json = JSON.parse(j.stdout);
        assert.equal(json.agent_prompt_source, "packaged");
        assert.ok(
          json.warnings.some((w: string) =>
            /^agents\/agent-coach\.md not used: symlink resolves outside/.test(w)
          ),
          JSON.stringify(json.warnings),
        );
        // The catalog does not list prompts that live outside the repo.
        const intruder = await runCli(entry, ["schedule", "prepare", "intruder", "--target", dir]);
        assert.equal(intruder.code, 1);
        assert.match(intruder.stderr, /unknown agent 'intruder'/);
      });
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
);

cliTest(
  "finding 9: with --trust-repo-plugins a command under a symlinked .kaizen/tools is refused",
  async (entry) => {
    const outside = await Deno.makeTempDir({ prefix: "kaizen-outside-" });
    try {
      const marker = `${outside}/ran`;
      await Deno.writeTextFile(`${outside}/tool.sh`, `#!/bin/sh\ntouch '${marker}'\n`);
      await Deno.chmod(`${outside}/tool.sh`, 0o755);
      await withRepo({
        ".kaizen/schedule.yml": MANIFEST,
        ".kaizen/plugins.yml": [
          "version: 1",
          "plugins:",
          "  - name: escape",
          '    command: ["./tools/tool.sh"]',
          "    sections:",
          "      - { id: escape, title: Escape, order: 450 }",
          "",
        ].join("\n"),
      }, async (dir) => {
        await Deno.symlink(outside, `${dir}/.kaizen/tools`);
        const r = await prepare(entry, dir, ["--trust-repo-plugins"]);
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stderr, /command '\.\/tools\/tool\.sh' resolves outside the repository/);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
      });
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
);

cliTest(
  "special-token text (<|endoftext|>) in repo content is counted as text, not a crash",
  async (entry) => {
    await withRepo({
      ".kaizen/agents/coach/memory.md":
        "# Memory\n\n- the model printed <|endoftext|> and stopped\n",
    }, async (dir) => {
      for (const extra of [["--format", "json"], ["--max-tokens", "100000"]]) {
        const r = await prepare(entry, dir, extra);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes("<|endoftext|>"));
      }
    });
  },
);

cliTest(
  "an excerpt that cuts a private key block in half shows none of its lines (SCOPE.md, line limit)",
  async (entry) => {
    // 60 lines of SCOPE.md are shown: a PuTTY key starts at line 53, so the
    // excerpt ends inside its private lines, and what is shown no longer has
    // the block's whole shape.
    const pub = [randomValue(64), randomValue(40)];
    const priv = Array.from({ length: 6 }, () => randomValue(64));
    const key = [
      "PuTTY-User-" + "Key-File-3: ssh-rsa",
      "Encryption: none",
      "Comment: deploy@ci",
      "Public-Lines: 2",
      ...pub,
      "Private-Lines: 6",
      ...priv,
      "Private-MAC: " + randomValue(64).toLowerCase(),
    ];
    const scope = [
      ...Array.from({ length: 52 }, (_, i) => `Line ${i + 1} of the scope.`),
      ...key,
      "After the key.",
    ].join("\n");
    await withRepo({ ".kaizen/schedule.yml": MANIFEST, "SCOPE.md": scope }, async (dir) => {
      for (const format of ["markdown", "json"]) {
        const r = await prepare(entry, dir, ["--format", format]);
        assert.equal(r.code, 0, r.stderr);
        for (const line of priv) {
          assert.ok(!r.stdout.includes(line.slice(0, 16)), `${format}: a private key line leaked`);
        }
      }
    });
  },
);
