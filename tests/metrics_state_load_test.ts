/**
 * Issue 17, under load: 200 `metrics record` processes started at once while
 * two CPU-bound processes keep both cores busy. With the kernel-held lock no
 * writer gives up while the others get through: 200 valid records and a
 * summary counting them. No timing assertions (each child only has a
 * generous `timeout` so a hang fails instead of hanging the suite).
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, EMPTY_CONFIG_HOME, REPO_ROOT } from "./_cli.ts";
import { executionsPath, metricsDir, summaryPath } from "../core/state/layout.ts";
import { parseRecords } from "../core/state/metrics/mod.ts";

const WRITERS = 200;
const CHILD_TIMEOUT_S = 900;
const LOG = executionsPath("coach");

function haveTimeout(): boolean {
  try {
    return new Deno.Command("timeout", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("issue 17 under load records are lost: 200 concurrent metrics record with both cores busy leave 200 records and a summary counting 200", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-load-" }));
  const burners = Array.from({ length: 2 }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "const end = Date.now() + 1_800_000; while (Date.now() < end) {}"],
      stdout: "null",
      stderr: "null",
    }).spawn());
  try {
    await Deno.mkdir(`${root}/${metricsDir("coach")}`, { recursive: true });
    const prefix = haveTimeout() ? ["timeout", "-s", "KILL", String(CHILD_TIMEOUT_S)] : [];
    const argv = [...prefix, ...CLI_ENTRIES[0].argv];
    const children = Array.from({ length: WRITERS }, (_, i) =>
      new Deno.Command(argv[0], {
        args: [
          ...argv.slice(1),
          "metrics",
          "record",
          "coach",
          "--target",
          root,
          i % 4 === 0 ? "--failure" : "--success",
          "--time",
          String(60 + i),
          "--quality",
          "0.5",
          "--notes",
          `writer ${i}`,
        ],
        env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" },
        stdout: "null",
        stderr: "piped",
        cwd: REPO_ROOT,
      }).output());
    const outs = await Promise.all(children);
    const failed = outs.map((o, i) => ({ i, o })).filter(({ o }) => o.code !== 0);
    assert.deepEqual(
      failed.map(({ i, o }) =>
        `writer ${i}: exit ${o.code}: ${new TextDecoder().decode(o.stderr)}`
      ),
      [],
    );
    const text = await Deno.readTextFile(`${root}/${LOG}`);
    const { records, skipped } = parseRecords(text, "coach");
    assert.equal(skipped.length, 0);
    assert.equal(records.length, WRITERS);
    assert.deepEqual(
      records.map((r) => r.notes).sort(),
      Array.from({ length: WRITERS }, (_, i) => `writer ${i}`).sort(),
    );
    const summary = JSON.parse(await Deno.readTextFile(`${root}/${summaryPath("coach")}`));
    assert.equal(summary.runs, WRITERS);
    assert.equal(summary.failures, WRITERS / 4);
    const left = [];
    for await (const e of Deno.readDir(`${root}/${metricsDir("coach")}`)) {
      if (e.name.endsWith(".lock") || e.name.includes(".tmp-")) left.push(e.name);
    }
    assert.deepEqual(left, []);
  } finally {
    for (const b of burners) {
      try {
        b.kill("SIGKILL");
      } catch { /* gone */ }
      await b.status;
    }
    await Deno.remove(root, { recursive: true });
  }
});
