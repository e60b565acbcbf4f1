/**
 * `kaizen metrics record | rebuild` as real processes (the CLI from source,
 * `CLI_ENTRIES[0]`), for what only separate processes can show: a hundred
 * writers started at once on one agent, and a writer that died between its
 * append and its summary (simulated by writing what it would have left).
 * Every child runs under `timeout`, so a hung writer fails the test instead
 * of hanging it.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, type CliEntry, REPO_ROOT, runCli } from "./_cli.ts";
import { executionsPath, summaryPath } from "../core/state/layout.ts";
import { deriveSummary, parseRecords } from "../core/state/metrics/mod.ts";
import { summaryStatePath } from "../core/state/layout.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const LOG = executionsPath("coach");
const SUMMARY = summaryPath("coach");
const NOW = "2026-11-23T08:00:00Z";
/** Seconds one child may take before `timeout` kills it (100 start at once on 2 busy cores): a hang guard, not a timing. */
const CHILD_TIMEOUT_S = 600;

/** Whether coreutils `timeout` is there (not on a stock macOS). */
function haveTimeout(): boolean {
  try {
    return new Deno.Command("timeout", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** The source entry, each child killed after {@link CHILD_TIMEOUT_S} where `timeout` exists. */
const SOURCE: CliEntry = haveTimeout()
  ? {
    name: "source",
    argv: ["timeout", "-s", "KILL", String(CHILD_TIMEOUT_S), ...CLI_ENTRIES[0].argv],
  }
  : CLI_ENTRIES[0];

async function copyTree(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) {
      await Deno.mkdir(`${to}/${e.name}`);
      await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    } else if (e.isFile) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  }
}

async function pilotCopy(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-metrics-proc-" }));
  await copyTree(PILOT, dir);
  return dir;
}

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test({
  name: "100 `metrics record` processes started at once → 100 whole records, summary counts them",
  async fn() {
    const root = await pilotCopy();
    try {
      const N = 100;
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          runCli(SOURCE, [
            "metrics",
            "record",
            "coach",
            i % 4 === 0 ? "--failure" : "--success",
            "--time",
            String(1000 + i),
            "--quality",
            "0.5",
            "--notes",
            `writer ${i}`,
            "--target",
            root,
          ])),
      );
      results.forEach((r, i) => assert.equal(r.code, 0, `writer ${i}: ${r.stderr}`));
      const text = await Deno.readTextFile(`${root}/${LOG}`);
      assert.ok(text.endsWith("\n"));
      const { records, skipped } = parseRecords(text, "coach");
      assert.deepEqual(skipped, [], "every line a valid record");
      assert.equal(records.length, 4 + N, "the pilot's 4 and exactly one per writer");
      assert.deepEqual(
        records.slice(4).map((r) => r.notes).sort(),
        Array.from({ length: N }, (_, i) => `writer ${i}`).sort(),
      );
      const summary = await readJson(`${root}/${SUMMARY}`);
      assert.equal(summary.runs, 4 + N);
      assert.equal(summary.successes, 3 + 75);
      assert.deepEqual(summary, deriveSummary("coach", records, new Date(summary.updated_at)));
      const state = await readJson(`${root}/${summaryStatePath("coach")}`);
      assert.equal(state.offset, new TextEncoder().encode(text).length, "state covers the log");
      assert.equal(state.acc.runs, 4 + N);
      const left = [];
      for await (const e of Deno.readDir(`${root}/.kaizen/metrics/coach`)) left.push(e.name);
      assert.deepEqual(left.sort(), ["executions.jsonl", "summary.json", "summary.state.json"]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("a writer killed between append and summary, and one killed mid-line: the next record counts every whole record, reports the torn line, and rebuild agrees", async () => {
  const root = await pilotCopy();
  const log = `${root}/${LOG}`;
  const record = (args: string[]) =>
    runCli(SOURCE, ["metrics", "record", "coach", ...args, "--target", root, "--now", NOW]);
  try {
    // A normal record first, so a running state exists and the next writer is incremental.
    const first = await record(["--success", "--time", "600", "--quality", "0.7"]);
    assert.equal(first.code, 0, first.stderr);
    const stateBefore = await Deno.readTextFile(`${root}/${summaryStatePath("coach")}`);
    const summaryBefore = await Deno.readTextFile(`${root}/${SUMMARY}`);

    // What a writer killed after its append leaves: its line, no summary, no state update.
    const crashed = {
      agent: "coach",
      recorded_at: "2026-11-23T07:00:00Z",
      success: false,
      time_seconds: 300,
      quality: 0.2,
    };
    await Deno.writeTextFile(log, JSON.stringify(crashed) + "\n", { append: true });
    // What a writer killed mid-write leaves: half a line, no newline.
    await Deno.writeTextFile(log, '{"agent":"coach","recorded_at":"2026-11-23T07:3', {
      append: true,
    });
    assert.equal(await Deno.readTextFile(`${root}/${summaryStatePath("coach")}`), stateBefore);
    assert.equal(await Deno.readTextFile(`${root}/${SUMMARY}`), summaryBefore);

    const next = await record([
      "--success",
      "--time",
      "900",
      "--quality",
      "0.9",
      "--format",
      "json",
    ]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(
      next.stderr,
      /executions\.jsonl: skipped 1 invalid line \(line 7: not valid JSON\)/,
    );
    const summary = JSON.parse(next.stdout);
    // 4 pilot records + the first record + the crashed writer's + this one; not the torn line.
    assert.equal(summary.runs, 7);
    assert.equal(summary.successes, 5);
    assert.deepEqual(await readJson(`${root}/${SUMMARY}`), summary);
    const lines = (await Deno.readTextFile(log)).split("\n");
    assert.equal(lines.length, 9, "8 lines and the final newline");
    assert.equal(JSON.parse(lines[7]).time_seconds, 900, "the new record on its own line");

    const rebuilt = await runCli(SOURCE, [
      "metrics",
      "rebuild",
      "coach",
      "--target",
      root,
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(
      rebuilt.stderr,
      /rebuilt .*summary\.json from 7 records \(1 invalid lines skipped\)/,
    );
    assert.deepEqual(JSON.parse(rebuilt.stdout), summary, "rebuild derives the same summary");

    const show = await runCli(SOURCE, [
      "metrics",
      "show",
      "coach",
      "--target",
      root,
      "--format",
      "json",
    ]);
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout);
    assert.equal(shown.summary_source, "file");
    assert.equal(shown.skipped_lines, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("after five records the next bundle's metrics table shows the percentiles and the trend; an odd stored trend is re-derived", async () => {
  const root = await pilotCopy();
  try {
    for (let i = 0; i < 5; i++) {
      const r = await runCli(SOURCE, [
        "metrics",
        "record",
        "coach",
        i === 4 ? "--failure" : "--success",
        "--time",
        String(600 * (i + 1)),
        "--quality",
        "0.5",
        "--target",
        root,
        "--now",
        `2026-11-2${i}T10:00:00Z`,
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    const prepare = () =>
      runCli(SOURCE, ["schedule", "prepare", "coach", "--target", root, "--now", NOW]);
    const p = await prepare();
    assert.equal(p.code, 0, p.stderr);
    // 9 runs: 420 600 840 1200 1260 1515 1800 2400 3000.
    for (
      const row of [
        "| Runs | 9 |",
        "| Median time | 21m 0s |",
        "| 90th percentile time | 50m 0s |",
        "| Latest 5 runs | 80.0% success, average 30m 0s, quality 0.50 |",
      ]
    ) {
      assert.ok(p.stdout.includes(row), `${row}\n${p.stdout.slice(0, 2000)}`);
    }
    // A current summary from a newer writer: its own scalar keys still show.
    const s = await readJson(`${root}/${SUMMARY}`);
    await Deno.writeTextFile(`${root}/${SUMMARY}`, JSON.stringify({ ...s, custom_note: "hi" }));
    const newer = await prepare();
    assert.equal(newer.code, 0, newer.stderr);
    assert.ok(newer.stdout.includes("| custom_note | hi |"), "unknown scalars still show");
    // A summary with a trend of another shape does not match the records (issue
    // 17: one derivation): the derived trend is shown, no crash.
    await Deno.writeTextFile(
      `${root}/${SUMMARY}`,
      JSON.stringify({ ...s, trend: { direction: "up" }, custom_note: "hi" }),
    );
    const odd = await prepare();
    assert.equal(odd.code, 0, odd.stderr);
    assert.ok(
      odd.stdout.includes("| Latest 5 runs | 80.0% success, average 30m 0s, quality 0.50 |"),
    );
    assert.ok(!odd.stdout.includes("custom_note"));
    assert.ok(odd.stdout.includes("| Median time | 21m 0s |"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
