/**
 * Pins for small contracts users rely on (issue 16), each black-box through
 * the CLI (source and bundle): `prepare | head -1` stops quietly, MCP
 * `prepare_bundle` refuses a zero token budget, `roster discover --scan`
 * looks exactly four levels deep and never into hidden folders, doctor
 * treats a state hub's 403 like its 401 (an authorization failure), and the
 * metrics commands name the right line numbers of invalid record lines,
 * also after an incremental update.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT, runCli } from "./_cli.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";

/** A fresh copy of examples/pilot (real path), removed by the caller. */
async function pilotCopy(prefix: string): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  const cp = await new Deno.Command("cp", { args: ["-R", `${PILOT}/.`, dir] }).output();
  assert.ok(cp.success, new TextDecoder().decode(cp.stderr));
  return dir;
}

async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await pilotCopy(prefix);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Quotes `s` for a POSIX shell. */
function sh(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

// -- 3. `prepare | head -1` -------------------------------------------------

/**
 * Runs `kaizen <args> | head -1` in bash; kaizen's stderr goes to a file.
 * Returns kaizen's own exit status (PIPESTATUS[0]), its stderr and what
 * head printed.
 */
async function pipedToHead(
  entry: CliEntry,
  args: string[],
  dir: string,
): Promise<{ code: number; stderr: string; head: string }> {
  const errFile = `${dir}/kaizen.stderr`;
  const script = `${[...entry.argv, ...args].map(sh).join(" ")} 2>${sh(errFile)} | head -1\n` +
    `echo "status=\${PIPESTATUS[0]}" >&2`;
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: dir,
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const status = /status=(\d+)/.exec(dec.decode(out.stderr));
  assert.ok(status, `no status from bash: ${dec.decode(out.stderr)}`);
  const stderr = await Deno.readTextFile(errFile);
  await Deno.remove(errFile);
  return { code: Number(status[1]), stderr, head: dec.decode(out.stdout) };
}

/**
 * An installed coach prompt of about 250 KB: the bundle is then several
 * times a pipe's buffer, so `head -1` leaves while kaizen is still writing
 * and the write fails with EPIPE.
 */
async function plantLargePrompt(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/agents`, { recursive: true });
  const rules = Array.from(
    { length: 5000 },
    (_, i) => `- rule ${i}: keep the change small and the tests green`,
  );
  await Deno.writeTextFile(`${dir}/agents/agent-coach.md`, `# Coach\n\n${rules.join("\n")}\n`);
}

/** stderr that says something went wrong (a sink failure, an internal error, a stack). */
const TROUBLE = /fail|error|broken ?pipe|epipe|^\s+at /im;

cliTest("pin: `schedule prepare | head -1` stops quietly (exit 0, no sink failure)", async (e) => {
  await withDir("kaizen-pin-pipe-", async (dir) => {
    await plantLargePrompt(dir);
    const full = await runCli(e, ["schedule", "prepare", "coach", "--now", NOW], { cwd: dir });
    assert.equal(full.code, 0, full.stderr);
    assert.ok(full.stdout.length > 200_000, `bundle is only ${full.stdout.length} bytes`);

    for (const format of ["markdown", "json"]) {
      const r = await pipedToHead(
        e,
        ["schedule", "prepare", "coach", "--now", NOW, "--format", format],
        dir,
      );
      const first = format === "json" ? "{" : full.stdout.split("\n")[0];
      assert.equal(r.head, `${first}\n`);
      assert.equal(r.code, 0, `${format}: kaizen exited ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr, "", `${format}: spurious stderr`);
    }

    // With a second sink, that sink still runs and reports; the stdout sink's
    // broken pipe is not reported as a failure.
    const r = await pipedToHead(
      e,
      ["schedule", "prepare", "coach", "--now", NOW, "--sink", "stdout,file", "--out", "b.md"],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, TROUBLE);
    assert.doesNotMatch(r.stderr, /sink 'stdout'/);
    assert.equal(await Deno.readTextFile(`${dir}/b.md`), full.stdout);
  });
});

// -- 4. MCP prepare_bundle max_tokens ---------------------------------------

cliTest("pin: MCP prepare_bundle refuses max_tokens 0 and accepts 1", async (entry) => {
  await withDir("kaizen-pin-mcp-", async (dir) => {
    const [command, ...args] = entry.argv;
    const transport = new StdioClientTransport({
      command,
      args: [...args, "mcp", "--target", dir, "--now", NOW],
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "/tmp",
        NO_COLOR: "1",
        XDG_CONFIG_HOME: EMPTY_CONFIG_HOME,
        KAIZEN_REPO: "",
      },
      stderr: "pipe",
    });
    transport.stderr?.on("data", () => {});
    const client = new Client({ name: "kaizen-pin", version: "1.0.0" });
    await client.connect(transport);
    try {
      type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };
      const call = async (extra: Record<string, unknown>) =>
        await client.callTool({
          name: "prepare_bundle",
          arguments: { agent: "coach", ...extra },
        }) as ToolResult;

      // 0 and below fail the input check, with a message that does not call
      // 0 allowed; nothing is prepared.
      for (const bad of [0, -1]) {
        const r = await call({ max_tokens: bad });
        assert.equal(r.isError, true, `max_tokens ${bad} was accepted`);
        assert.match(r.content[0].text, /invalid input: max_tokens: must be more than 0/);
      }
      const fraction = await call({ max_tokens: 1.5 });
      assert.equal(fraction.isError, true);
      assert.match(fraction.content[0].text, /invalid input: max_tokens/);
      // 1 passes the input check and reaches the budget, which cannot fit the
      // sections that are never cut into one token: the budget says so.
      const one = await call({ max_tokens: 1 });
      assert.doesNotMatch(one.content[0].text, /invalid input/);
      assert.equal(one.isError, true);
      assert.match(one.content[0].text, /need \d+ tokens, over the token budget 1$/);
      // A budget that fits trims the bundle.
      const whole = await call({});
      assert.notEqual(whole.isError, true);
      const fits = await call({ max_tokens: 2_000 });
      assert.notEqual(fits.isError, true, fits.content[0].text);
      assert.ok(fits.content[0].text.length < whole.content[0].text.length, "2000 trims nothing");
    } finally {
      await client.close();
    }
  });
});

// -- 5. roster discover --scan depth and hidden folders ----------------------

cliTest("pin: roster discover --scan finds checkouts 1-4 levels deep, none hidden", async (e) => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-scan-" }));
  try {
    const checkouts = [
      "top", // depth 1
      "a/mid", // depth 2
      "a/b/c/deep4", // depth 4: the deepest found
      "a/b/c/d/deep5", // depth 5: too deep
      ".hidden/in-hidden", // under a hidden folder at depth 1
      "a/.cache/in-cache", // under a hidden folder at depth 2
      "a/b/.hidden-dir/in-hidden-deep", // under a hidden folder, at depth 4
      "node_modules/in-modules",
      "top/nested", // inside a checkout: the scan does not descend into one
    ];
    for (const p of checkouts) await Deno.mkdir(`${dir}/${p}/.git`, { recursive: true });
    // A symlink to a checkout's parent is not followed.
    await Deno.symlink(`${dir}/a/b/c`, `${dir}/link`);
    // deep4 has a valid manifest, so it also yields scheduled runs.
    await Deno.mkdir(`${dir}/a/b/c/deep4/.kaizen`);
    await Deno.writeTextFile(
      `${dir}/a/b/c/deep4/.kaizen/schedule.yml`,
      'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    cron: "0 9 * * 1"\n',
    );

    const r = await runCli(e, ["roster", "discover", "--scan", dir, "--host", "h"], {
      env: { STATE_HUB_URL: "", STATE_HUB_TOKEN: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as {
      scheduled_runs: { repo: string; root: string }[];
      skipped: { repo: string; reason: string }[];
    };
    const runs = body.scheduled_runs.map((s) => [s.repo, s.root]);
    assert.deepEqual(runs, [["deep4", `${dir}/a/b/c/deep4`]]);
    assert.deepEqual(
      body.skipped.map((s) => `${s.repo}: ${s.reason}`).sort(),
      ["mid: no-manifest", "top: no-manifest"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest("pin: roster discover --scan DIR where DIR is itself a checkout", async (e) => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-scan-" }));
  try {
    await Deno.mkdir(`${dir}/.git`);
    await Deno.mkdir(`${dir}/inner/.git`, { recursive: true });
    const r = await runCli(e, ["roster", "discover", "--scan", dir, "--host", "h"], {
      env: { STATE_HUB_URL: "", STATE_HUB_TOKEN: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { skipped: { repo: string }[] };
    assert.deepEqual(body.skipped.map((s) => s.repo), [dir.split("/").pop()]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// -- 6. doctor: a hub's 403 is an authorization failure ----------------------

interface DoctorCheck {
  id: string;
  status: string;
  detail: string;
  fix: string | null;
}

/** `kaizen doctor --hub <in-test hub answering status>`; the hub checks. */
async function doctorAgainst(
  e: CliEntry,
  status: number,
  token: string,
): Promise<{ code: number; hub: DoctorCheck[]; auth: (string | null)[] }> {
  const auth: (string | null)[] = [];
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen() {},
  }, (req) => {
    auth.push(req.headers.get("authorization"));
    return Response.json({ detail: `answering ${status}` }, { status });
  });
  const cwd = await Deno.makeTempDir({ prefix: "kaizen-pin-doctor-" });
  try {
    const r = await runCli(
      e,
      ["doctor", "--hub", `http://127.0.0.1:${server.addr.port}`, "--format", "json"],
      {
        cwd,
        env: {
          STATE_HUB_URL: "",
          STATE_HUB_TOKEN: token,
          NATS_URL: "",
          ARTIFACTSTORE_API_URL: "",
          ARTIFACTSTORE_API_TOKEN: "",
        },
      },
    );
    assert.ok(r.stdout.trim().startsWith("{"), `no JSON report: ${r.stdout} ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { checks: DoctorCheck[] };
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), "the token was echoed");
    return { code: r.code, hub: report.checks.filter((c) => c.id.startsWith("hub.")), auth };
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(cwd, { recursive: true });
  }
}

cliTest("pin: doctor reports a hub's 403 as an authorization failure, like 401", async (e) => {
  const token = `pin-token-${crypto.randomUUID()}`;
  for (const status of [401, 403]) {
    const { code, hub, auth } = await doctorAgainst(e, status, token);
    assert.equal(code, 1, `${status}: doctor should fail`);
    assert.deepEqual(auth.slice(0, 1), [`Bearer ${token}`]);
    assert.deepEqual(
      hub.map((c) => `${c.id} ${c.status}`),
      ["hub.reachable pass", "hub.auth fail"],
      `${status}: ${JSON.stringify(hub)}`,
    );
    const check = hub[1];
    assert.match(check.detail, new RegExp(`refused STATE_HUB_TOKEN \\(${status}\\)`));
    assert.match(check.fix ?? "", /STATE_HUB_TOKEN/);
    assert.match(check.fix ?? "", /token/i);
  }
});

cliTest("pin: roster discover reports a hub's 403 as a token problem, like 401", async (e) => {
  for (const status of [401, 403]) {
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      () => Response.json({ detail: "no" }, { status }),
    );
    try {
      const r = await runCli(e, [
        "roster",
        "discover",
        "--hub",
        `http://127.0.0.1:${server.addr.port}`,
        "--host",
        "h",
      ], { env: { STATE_HUB_URL: "", STATE_HUB_TOKEN: "pin-token" } });
      assert.equal(r.code, 1, `${status}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`answered ${status}; check STATE_HUB_TOKEN`));
      assert.ok(!r.stderr.includes("pin-token"), "the token was echoed");
    } finally {
      ac.abort();
      await server.finished;
    }
  }
});

// -- 7. line numbers of invalid record lines ---------------------------------

/** The line numbers a `skipped N invalid line(s) (line a: …; line b: …)` notice names. */
function skippedLines(stderr: string): number[] {
  const notice = stderr.split("\n").find((l) => /skipped \d+ invalid line/.test(l));
  if (notice === undefined) return [];
  return [...notice.matchAll(/line (\d+):/g)].map((m) => Number(m[1]));
}

function record(e: CliEntry, dir: string, at: string) {
  return runCli(e, [
    "metrics",
    "record",
    "coach",
    "--target",
    dir,
    "--success",
    "--time",
    "60",
    "--quality",
    "0.5",
    "--now",
    at,
  ]);
}

function runLine(at: string): string {
  return JSON.stringify({
    agent: "coach",
    recorded_at: at,
    success: true,
    time_seconds: 30,
    quality: 0.7,
  });
}

cliTest("pin: metrics names the right line numbers of torn lines, incrementally too", async (e) => {
  await withDir("kaizen-pin-lines-", async (dir) => {
    const log = `${dir}/.kaizen/metrics/coach/executions.jsonl`;
    const [l1, l2, l3, l4] = (await Deno.readTextFile(log)).split("\n");
    // Line 3 is torn (a writer killed mid-line, then others appended after it).
    await Deno.writeTextFile(log, [l1, l2, l3.slice(0, 40), l3, l4, ""].join("\n"));
    // No usable running state: the first record reads the whole log.
    await Deno.remove(`${dir}/.kaizen/metrics/coach/summary.json`);

    const show = async () => {
      const r = await runCli(e, ["metrics", "show", "coach", "--target", dir]);
      assert.equal(r.code, 0, r.stderr);
      return skippedLines(r.stderr);
    };
    assert.deepEqual(await show(), [3]);

    let r = await record(e, dir, "2026-11-23T08:00:00Z"); // line 6
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(skippedLines(r.stderr), [3]);

    // After the summary exists: an empty line, garbage, a valid run, and a
    // torn last line without its newline (lines 7-10).
    await Deno.writeTextFile(
      log,
      ["", "not json at all", runLine("2026-11-23T08:30:00Z"), '{"agent":"coach","rec'].join("\n"),
      { append: true },
    );
    r = await record(e, dir, "2026-11-23T09:00:00Z"); // line 11 (after a newline kaizen adds)
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(skippedLines(r.stderr), [3, 8, 10]);
    assert.deepEqual(await show(), [3, 8, 10]);

    // Once more, incrementally from the stored state: a bad record at line 12.
    await Deno.writeTextFile(log, '{"agent":"coach","success":"maybe"}\n', { append: true });
    r = await record(e, dir, "2026-11-23T10:00:00Z"); // line 13
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(skippedLines(r.stderr), [3, 8, 10, 12]);
    assert.deepEqual(await show(), [3, 8, 10, 12]);

    // The file really has those lines where the messages say.
    const lines = (await Deno.readTextFile(log)).split("\n");
    assert.equal(lines.length, 14); // 13 lines and the final newline
    for (const n of [3, 8, 10, 12]) {
      const text = lines[n - 1];
      let ok = true;
      try {
        const v = JSON.parse(text);
        ok = typeof v.success === "boolean";
      } catch {
        ok = false;
      }
      assert.ok(!ok, `line ${n} is valid: ${text}`);
    }
    const summary = JSON.parse(
      await Deno.readTextFile(`${dir}/.kaizen/metrics/coach/summary.json`),
    );
    assert.equal(summary.runs, 8); // 4 pilot runs, 1 appended by hand, 3 recorded

    // rebuild reads the whole log again and agrees.
    const rb = await runCli(e, ["metrics", "rebuild", "coach", "--target", dir, "--now", NOW]);
    assert.equal(rb.code, 0, rb.stderr);
    assert.deepEqual(skippedLines(rb.stderr), [3, 8, 10, 12]);
  });
});
