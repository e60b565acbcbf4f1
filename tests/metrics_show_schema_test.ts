/**
 * `kaizen metrics show --format json` against its generated schema
 * (schemas/metrics-show.schema.json): the pilot's stored summary, no runs
 * yet, a derived summary with a torn line, and helix fields.
 */
import assert from "node:assert/strict";
import { cliTest, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { MetricsShowModel } from "../core/state/metrics/show_model.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const MANIFEST = 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n';

cliTest("metrics show --format json matches its schema in every state", async (e) => {
  const dir = await tempRepo({ ".kaizen/schedule.yml": MANIFEST });
  try {
    const pilot = await runCli(e, [
      "metrics",
      "show",
      "coach",
      "--target",
      PILOT,
      "--format",
      "json",
    ]);
    assert.equal(pilot.code, 0, pilot.stderr);
    const p = MetricsShowModel.parse(JSON.parse(pilot.stdout));
    assert.equal(p.summary.runs, p.summary.successes + p.summary.failures);

    const empty = await runCli(e, [
      "metrics",
      "show",
      "coach",
      "--target",
      dir,
      "--format",
      "json",
    ]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(MetricsShowModel.parse(JSON.parse(empty.stdout)).summary.runs, 0);

    for (let i = 0; i < 6; i++) {
      const r = await runCli(e, [
        "metrics",
        "record",
        "coach",
        i % 2 ? "--success" : "--failure",
        "--time",
        String(60 * (i + 1)),
        "--quality",
        "0.5",
        "--notes",
        `run ${i}`,
        "--target",
        dir,
      ], { env: { HELIX_SESSION_UID: `s-${i}`, HELIX_TOKENS: "1200" } });
      assert.equal(r.code, 0, r.stderr);
    }
    await Deno.writeTextFile(`${dir}/.kaizen/metrics/coach/executions.jsonl`, "{torn\n", {
      append: true,
    });
    const full = await runCli(e, ["metrics", "show", "coach", "--target", dir, "--format", "json"]);
    assert.equal(full.code, 0, full.stderr);
    const f = MetricsShowModel.parse(JSON.parse(full.stdout));
    assert.equal(f.summary.runs, 6);
    assert.ok(f.summary.trend, "a trend with five runs or more");
    assert.equal(f.skipped_lines, 1);
    assert.equal(f.recent_runs[0].helix_session_uid, "s-5");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
