/**
 * Issue 17, uncapped reads: a 600 MB sparse `executions.jsonl` (what a
 * `truncate` or a corrupted disk leaves; real records appended at its end)
 * must not be loaded whole. `metrics show | record | list | optimize`, the
 * bundle and the MCP summary finish with the right latest runs and a peak
 * RSS under 200 MB (measured with `/usr/bin/time -f %M` when it is there,
 * else by polling the child's `VmHWM`); a 600 MB `analysis.json` is refused
 * by `metrics publish` with one line. Each command runs without a usable
 * `summary.state.json`, so it streams the whole log.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, EMPTY_CONFIG_HOME } from "./_cli.ts";
import { executionsPath, metricsDir, summaryStatePath } from "../core/state/layout.ts";
import { ANALYSIS_PATH, RECOMMENDATIONS_PATH } from "../core/state/optimizer.ts";

const SOURCE = CLI_ENTRIES[0];
const LOG = executionsPath("coach");
const STATE = summaryStatePath("coach");
const SPARSE_BYTES = 600 * 1024 * 1024;
const RSS_LIMIT_KB = 200 * 1024;
const RECORDS = 20;
const NOW = "2026-11-23T08:00:00Z";

function haveGnuTime(): boolean {
  try {
    return new Deno.Command("/usr/bin/time", { args: ["-f", "%M", "true"], stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const GNU_TIME = haveGnuTime();

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child, KiB. */
  maxRssKb: number;
}

/** Runs the CLI from source with `args`, measuring its peak RSS. */
async function measured(args: string[], stdin?: string): Promise<Measured> {
  const env = { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" };
  const rssFile = await Deno.makeTempFile({ prefix: "kaizen-rss-" });
  try {
    const argv = GNU_TIME
      ? ["/usr/bin/time", "-f", "%M", "-o", rssFile, ...SOURCE.argv, ...args]
      : [...SOURCE.argv, ...args];
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let peak = 0;
    let polling = !GNU_TIME;
    const poll = (async () => {
      while (polling) {
        try {
          const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
          const m = /VmHWM:\s+(\d+) kB/.exec(status);
          if (m) peak = Math.max(peak, Number(m[1]));
        } catch { /* exited */ }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const out = await child.output();
    polling = false;
    await poll;
    if (GNU_TIME) peak = Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1));
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      maxRssKb: peak,
    };
  } finally {
    await Deno.remove(rssFile).catch(() => {});
  }
}

function recordLine(i: number): string {
  return JSON.stringify({
    agent: "coach",
    recorded_at: `2026-11-${String(1 + i).padStart(2, "0")}T09:00:00Z`,
    success: i % 4 !== 0,
    time_seconds: 100 + i,
    quality: 0.5,
    notes: `run ${i}`,
  }) + "\n";
}

/** A repo whose log is 600 MB of zeros (sparse) followed by {@link RECORDS} records. */
async function sparseRepo(): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-sparse-" }));
  await Deno.mkdir(`${root}/${metricsDir("coach")}`, { recursive: true });
  const f = await Deno.open(`${root}/${LOG}`, { write: true, create: true });
  await f.truncate(SPARSE_BYTES);
  f.close();
  const tail = "\n" + Array.from({ length: RECORDS }, (_, i) => recordLine(i)).join("");
  await Deno.writeTextFile(`${root}/${LOG}`, tail, { append: true });
  return root;
}

async function dropState(root: string): Promise<void> {
  await Deno.remove(`${root}/${STATE}`).catch(() => {});
}

function underLimit(what: string, m: Measured): void {
  assert.ok(m.maxRssKb > 0, `${what}: RSS measured`);
  assert.ok(
    m.maxRssKb < RSS_LIMIT_KB,
    `${what}: peak RSS ${Math.round(m.maxRssKb / 1024)} MB, over ${RSS_LIMIT_KB / 1024} MB`,
  );
}

Deno.test("issue 17 uncapped reads: a 600 MB sparse log — show, record, list, optimize, the bundle and the MCP summary stream it under 200 MB with the right tail", async () => {
  const root = await sparseRepo();
  try {
    await dropState(root);
    const show = await measured(["metrics", "show", "coach", "--target", root, "--format", "json"]);
    assert.equal(show.code, 0, show.stderr);
    underLimit("show", show);
    const shown = JSON.parse(show.stdout);
    assert.equal(shown.summary.runs, RECORDS);
    assert.equal(shown.recent_runs.length, 10);
    assert.equal(shown.recent_runs[0].notes, `run ${RECORDS - 1}`, "newest first");
    assert.equal(shown.skipped_lines, 1, "the line of zeros is skipped, not held");

    await dropState(root);
    const rec = await measured([
      "metrics",
      "record",
      "coach",
      "--target",
      root,
      "--success",
      "--time",
      "60",
      "--quality",
      "1",
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    assert.equal(rec.code, 0, rec.stderr);
    underLimit("record", rec);
    assert.equal(JSON.parse(rec.stdout).runs, RECORDS + 1);

    await dropState(root);
    const list = await measured(["metrics", "list", "--target", root, "--format", "json"]);
    assert.equal(list.code, 0, list.stderr);
    underLimit("list", list);
    assert.equal(JSON.parse(list.stdout)[0].runs, RECORDS + 1);
    assert.equal(JSON.parse(list.stdout)[0].last_run_at, NOW);

    await dropState(root);
    const opt = await measured(["metrics", "optimize", "--target", root, "--now", NOW]);
    assert.equal(opt.code, 0, opt.stderr);
    underLimit("optimize", opt);
    const analysis = JSON.parse(await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`));
    assert.equal(analysis.agents[0].summary.runs, RECORDS + 1);

    await dropState(root);
    const bundle = await measured([
      "schedule",
      "prepare",
      "coach",
      "--target",
      root,
      "--format",
      "json",
      "--now",
      NOW,
    ]);
    assert.equal(bundle.code, 0, bundle.stderr);
    underLimit("prepare", bundle);
    const section = JSON.parse(bundle.stdout).sections.find((s: { id: string }) =>
      s.id === "metrics"
    );
    assert.equal(section.data.runs, RECORDS + 1);
    assert.match(section.content, new RegExp(`Latest 5 of ${RECORDS + 1} recorded runs`));

    await dropState(root);
    const session = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "kaizen-test", version: "1" },
        },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "resources/read",
        params: { uri: "kaizen://metrics/coach/summary" },
      },
    ].map((m) => JSON.stringify(m) + "\n").join("");
    const mcp = await measured(["mcp", "--target", root, "--now", NOW], session);
    underLimit("mcp", mcp);
    const reply = mcp.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l))
      .find((m) => m.id === 2);
    assert.ok(reply?.result, `${mcp.stdout}\n${mcp.stderr}`);
    assert.equal(JSON.parse(reply.result.contents[0].text).runs, RECORDS + 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("issue 17 uncapped reads: metrics publish refuses a 600 MB analysis.json with one line, exit 1, under 200 MB", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-sparse-" }));
  try {
    await Deno.mkdir(`${root}/.kaizen/metrics/optimizer`, { recursive: true });
    const f = await Deno.open(`${root}/${ANALYSIS_PATH}`, { write: true, create: true });
    await f.truncate(SPARSE_BYTES);
    f.close();
    await Deno.writeTextFile(`${root}/${RECOMMENDATIONS_PATH}`, "");
    const child = await measured(["metrics", "publish", "--target", root, "--dry-run"]);
    assert.equal(child.code, 1, child.stderr);
    assert.equal(child.stderr.trimEnd().split("\n").length, 1, child.stderr);
    assert.match(child.stderr, /analysis\.json not read: file is \d+ bytes, over the \d+-byte cap/);
    underLimit("publish", child);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
