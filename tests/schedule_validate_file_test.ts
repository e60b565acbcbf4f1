/**
 * `kaizen schedule validate [FILE]` as CI and pre-commit hooks call it, and
 * its JSON output held to the generated schema
 * (schemas/schedule-validate.schema.json) for valid, invalid and missing
 * manifests.
 */
import assert from "node:assert/strict";
import { cliTest, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { ScheduleValidateModel } from "../core/manifest/validate_model.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;

cliTest("validate FILE: the repo the file sits in decides agent names", async (e) => {
  // An installed agent (agents/agent-docs.md) makes `docs` a valid name there.
  const dir = await tempRepo({
    "agents/agent-docs.md": "# docs\n",
    ".kaizen/schedule.yml": 'version: "1"\nagents:\n  docs:\n    cadence: daily\n',
    "candidates/next.yml": 'version: "1"\nagents:\n  docs:\n    cadence: weekly\n',
  });
  try {
    // From anywhere, by absolute path: the manifest's own repo knows `docs`.
    const abs = await runCli(e, ["schedule", "validate", `${dir}/.kaizen/schedule.yml`]);
    assert.equal(abs.code, 0, abs.stderr);
    assert.match(abs.stdout, /: valid \(1 agent, 1 enabled\)/);
    // A file elsewhere in the repo: found by walking up to the repo.
    const other = await runCli(e, ["schedule", "validate", "candidates/next.yml"], { cwd: dir });
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /^candidates\/next\.yml: valid/);
    // Called from another repo: still the file's own repo decides.
    const bad = await runCli(e, [
      "schedule",
      "validate",
      `${dir}/candidates/next.yml`,
      "--format",
      "json",
    ], { cwd: PILOT });
    assert.equal(bad.code, 0, bad.stderr);
    ScheduleValidateModel.parse(JSON.parse(bad.stdout));
    const missing = await runCli(e, ["schedule", "validate", `${dir}/nope.yml`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yml does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest(
  "validate --format json: valid, invalid and missing outputs match the schema",
  async (e) => {
    const dir = await tempRepo({
      "bad/.kaizen/schedule.yml":
        'version: "1"\ntimezone: EST\nagents:\n  Coach:\n    cadence: hourly\n',
      "empty/README.md": "# nothing\n",
    });
    try {
      const valid = await runCli(e, [
        "schedule",
        "validate",
        "--target",
        PILOT,
        "--format",
        "json",
      ]);
      assert.equal(valid.code, 0, valid.stderr);
      const v = ScheduleValidateModel.parse(JSON.parse(valid.stdout));
      assert.equal(v.valid, true);
      assert.ok(v.schedule, "a valid manifest carries the schedule");

      const invalid = await runCli(e, [
        "schedule",
        "validate",
        `${dir}/bad/.kaizen/schedule.yml`,
        "--format",
        "json",
      ]);
      assert.equal(invalid.code, 1);
      const i = ScheduleValidateModel.parse(JSON.parse(invalid.stdout));
      assert.equal(i.valid, false);
      assert.ok(i.diagnostics.length >= 2, invalid.stdout);

      const none = await runCli(e, [
        "schedule",
        "validate",
        "--target",
        `${dir}/empty`,
        "--format",
        "json",
      ]);
      assert.equal(none.code, 1);
      const n = ScheduleValidateModel.parse(JSON.parse(none.stdout));
      assert.deepEqual([n.exists, n.valid], [false, false]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
