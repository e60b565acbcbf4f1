/**
 * The loop a scheduled session closes: `prepare` tells the session which
 * commands to end with; running exactly those commands (placeholders filled
 * in) succeeds, and the next `prepare` shows what they recorded.
 */
import assert from "node:assert/strict";
import { cliTest, REPO_ROOT, runCli } from "./_cli.ts";

/** Splits a shell-quoted command line the way a session's shell would (quotes only). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

cliTest("prepare's session-close commands run as written and feed the next bundle", async (e) => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-loop-" });
  try {
    await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}/examples/pilot/.`, dir] }).output();
    const env = { HELIX_SESSION_UID: "" };
    const first = await runCli(e, [
      "schedule",
      "prepare",
      "coach",
      "--target",
      dir,
      "--format",
      "json",
    ], { env });
    assert.equal(first.code, 0, first.stderr);
    const bundle = JSON.parse(first.stdout);
    assert.equal(bundle.session_close.length, 2);
    const note = "the flaky VAT test needs a fixed clock";
    for (const line of bundle.session_close as string[]) {
      const argv = words(
        line.replace("<s>", "600").replace("<0-1>", "0.8").replace("<what you learned>", note),
      );
      assert.equal(argv[0], "kaizen", line);
      const r = await runCli(e, [...argv.slice(1), "--now", "2026-11-23T10:00:00Z"], { env });
      assert.equal(r.code, 0, `${line}\n${r.stderr}`);
    }
    const next = await runCli(e, [
      "schedule",
      "prepare",
      "coach",
      "--target",
      dir,
      "--format",
      "json",
    ], { env });
    assert.equal(next.code, 0, next.stderr);
    const after = JSON.parse(next.stdout);
    const memory = after.sections.find((s: { id: string }) => s.id === "memory");
    assert.match(memory.content, /## 2026-11-23\n\n- the flaky VAT test needs a fixed clock/);
    const metrics = after.sections.find((s: { id: string }) => s.id === "metrics");
    assert.equal(
      metrics.data.summary?.runs ?? metrics.data.runs,
      5,
      JSON.stringify(metrics.data).slice(0, 300),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest(
  "metrics record: out-of-range values are refused by the parser, nothing written",
  async (e) => {
    const dir = await Deno.makeTempDir({ prefix: "kaizen-loop-bad-" });
    try {
      await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}/examples/pilot/.`, dir] }).output();
      const log = `${dir}/.kaizen/metrics/coach/executions.jsonl`;
      const before = await Deno.readTextFile(log);
      for (
        const [args, message] of [
          [
            ["--success", "--time", "60", "--quality", "1.5"],
            /option '--quality' must be a number from 0 to 1/,
          ],
          [
            ["--success", "--time", "-1", "--quality", "0.5"],
            /option '--time' must be a number from 0 to 604800/,
          ],
          [["--success", "--time", "abc", "--quality", "0.5"], /option '--time' must be a number/],
          [["--time", "60", "--quality", "0.5"], /--success or --failure/],
          [
            ["--success", "--failure", "--time", "60", "--quality", "0.5"],
            /not both|only one|either/,
          ],
        ] as const
      ) {
        const r = await runCli(e, ["metrics", "record", "coach", ...args, "--target", dir]);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trimEnd().split("\n")[0].includes("    at "), false);
      }
      assert.equal(await Deno.readTextFile(log), before, "nothing written");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
