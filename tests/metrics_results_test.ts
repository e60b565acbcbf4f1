/**
 * Issue 21, "expected outcomes in the library are results": every refusal of
 * the metrics library's public functions (`recordExecution`, `readMetrics`,
 * `rebuildSummary`, `listMetricsAgents`, `helixFromEnv`, `runOptimizer`)
 * comes back as a `MetricsProblem`, never as a throw, and `metricsError`
 * maps each problem to the exit code and MCP answer a thrown `MetricsError`
 * had before (`invalid` 2, the rest 1). The `io` problems of a read-only file
 * system are in metrics_state_faults_test.ts, beside its tmpfs.
 */
import assert from "node:assert/strict";
import {
  exitCodeOf,
  MCP_INVALID_PARAMS,
  MCP_RESOURCE_NOT_FOUND,
  mcpErrorOf,
} from "../core/errors.ts";
import { executionsPath, metricsDir } from "../core/state/layout.ts";
import {
  helixFromEnv,
  listMetricsAgents,
  MetricsError,
  metricsError,
  type MetricsProblem,
  type MetricsProblemCode,
  readMetrics,
  rebuildSummary,
  recordExecution,
} from "../core/state/metrics/mod.ts";
import { runOptimizer } from "../core/state/optimizer.ts";
import { must } from "./_metrics.ts";

const LOG = executionsPath("coach");
const DIR = metricsDir("coach");
const RUN = { success: true, time_seconds: 60, quality: 1 };

/** The exit code and MCP code a thrown `MetricsError` of each kind had before results. */
const BEFORE: Record<MetricsProblemCode, { exit: number; mcp: number }> = {
  invalid: { exit: 2, mcp: MCP_INVALID_PARAMS },
  "unknown-agent": { exit: 1, mcp: MCP_INVALID_PARAMS },
  "unsafe-path": { exit: 1, mcp: MCP_RESOURCE_NOT_FOUND },
  locked: { exit: 1, mcp: MCP_RESOURCE_NOT_FOUND },
  "not-found": { exit: 1, mcp: MCP_RESOURCE_NOT_FOUND },
  io: { exit: 1, mcp: MCP_RESOURCE_NOT_FOUND },
};

/**
 * Asserts that `result` is a problem of `code` (a value, so nothing was
 * thrown) and that its error is the one the front ends answered with before.
 */
function assertProblem(
  result: { ok: boolean } | MetricsProblem,
  code: MetricsProblemCode,
  what: string,
): MetricsProblem {
  assert.equal(result.ok, false, `${what}: a problem expected`);
  const p = result as MetricsProblem;
  assert.equal(p.code, code, `${what}: ${p.message}`);
  assert.ok(p.message.length > 0);
  const err = metricsError(p);
  assert.ok(err instanceof MetricsError, what);
  assert.equal(err.kind, code, what);
  assert.equal(err.message, p.message, `${what}: the message is kept`);
  assert.equal(exitCodeOf(err), BEFORE[code].exit, `${what}: exit code`);
  assert.deepEqual(mcpErrorOf(err), {
    code: BEFORE[code].mcp,
    message: p.message,
    internal: false,
  }, `${what}: MCP answer`);
  return p;
}

async function withRepo(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-mresult-" }));
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function withOutside(fn: (outside: string) => Promise<void>): Promise<void> {
  const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-outside-" }));
  try {
    await fn(outside);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
}

Deno.test("metrics results: invalid input is an 'invalid' problem (exit 2) from every function that takes it", async () => {
  await withRepo(async (root) => {
    for (
      const [what, input] of [
        ["time", { ...RUN, time_seconds: -1 }],
        ["quality", { ...RUN, quality: 1.5 }],
        ["notes", { ...RUN, notes: "x".repeat(4001) }],
      ] as const
    ) {
      const p = assertProblem(await recordExecution(root, "coach", input), "invalid", what);
      assert.ok(p.subject !== undefined && p.message.startsWith(p.subject), what);
      assert.equal(metricsError(p).value, p.subject, `${what}: the value survives the mapping`);
    }
    const name = "../x";
    assertProblem(await recordExecution(root, name, RUN), "invalid", "record: agent name");
    assertProblem(await readMetrics(root, name), "invalid", "read: agent name");
    assertProblem(await rebuildSummary(root, name), "invalid", "rebuild: agent name");
    assertProblem(
      helixFromEnv((n) => (n === "HELIX_TOKENS" ? "lots" : undefined)),
      "invalid",
      "helix",
    );
    assert.deepEqual([...Deno.readDirSync(root)], [], "nothing written");
  });
});

Deno.test("metrics results: an unknown agent is an 'unknown-agent' problem with a suggestion", async () => {
  await withRepo(async (root) => {
    const record = assertProblem(
      await recordExecution(root, "coahc", RUN),
      "unknown-agent",
      "record",
    );
    assert.match(record.message, /did you mean 'coach'/);
    assertProblem(await readMetrics(root, "coahc"), "unknown-agent", "read");
  });
});

Deno.test("metrics results: a path out of the repository is an 'unsafe-path' problem", async () => {
  await withOutside(async (outside) => {
    await withRepo(async (root) => {
      await Deno.mkdir(`${root}/.kaizen`);
      await Deno.symlink(outside, `${root}/.kaizen/metrics`);
      assertProblem(await recordExecution(root, "coach", RUN), "unsafe-path", "record");
      assertProblem(await readMetrics(root, "coach"), "unsafe-path", "read");
      assertProblem(await listMetricsAgents(root), "unsafe-path", "list");
      assertProblem(await runOptimizer(root, new Date()), "unsafe-path", "optimize");
      assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing written outside");
    });
    await withRepo(async (root) => {
      await Deno.mkdir(`${root}/${DIR}`, { recursive: true });
      await Deno.writeTextFile(`${outside}/stolen.jsonl`, "");
      await Deno.symlink(`${outside}/stolen.jsonl`, `${root}/${LOG}`);
      assertProblem(await rebuildSummary(root, "coach"), "unsafe-path", "rebuild");
      assertProblem(await readMetrics(root, "coach"), "unsafe-path", "read the log");
    });
  });
});

Deno.test("metrics results: no log to rebuild from is a 'not-found' problem naming the log", async () => {
  await withRepo(async (root) => {
    const p = assertProblem(await rebuildSummary(root, "coach"), "not-found", "rebuild");
    assert.equal(p.path, LOG);
    assert.equal(p.message, `${LOG} does not exist: no records to rebuild coach's summary from`);
    assert.deepEqual([...Deno.readDirSync(root)], [], "nothing created");
  });
});

Deno.test("metrics results: a lock held without progress is a 'locked' problem; nothing is written", async () => {
  await withRepo(async (root) => {
    await must(recordExecution(root, "coach", RUN));
    const before = await Deno.readTextFile(`${root}/${LOG}`);
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${JSON.stringify(`${root}/${DIR}`)}, { read: true });
         await f.lock(true); console.log("held"); await new Promise((r) => setTimeout(r, 60_000));`,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = holder.stdout.getReader();
      await reader.read();
      reader.releaseLock();
      const lock = { stallMs: 200 };
      assertProblem(await recordExecution(root, "coach", RUN, { lock }), "locked", "record");
      assertProblem(await rebuildSummary(root, "coach", { lock }), "locked", "rebuild");
      assert.equal(await Deno.readTextFile(`${root}/${LOG}`), before);
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      await holder.stdout.cancel().catch(() => {});
    }
  });
});

Deno.test("metrics results: a bug still throws (only refusals are results)", async () => {
  await withRepo(async (root) => {
    // Not a refusal of the library: the root does not exist (the caller's bug, an OS error).
    await assert.rejects(recordExecution(`${root}/missing`, "coach", RUN), Deno.errors.NotFound);
    await assert.rejects(readMetrics(`${root}/missing`, "coach"), Deno.errors.NotFound);
  });
});

Deno.test("metricsError: each code keeps the exit code and MCP answer of the error it replaced", () => {
  for (
    const [code, want] of Object.entries(BEFORE) as [
      MetricsProblemCode,
      { exit: number; mcp: number },
    ][]
  ) {
    const p: MetricsProblem = { ok: false, code, message: `${code} happened` };
    const err = metricsError(p);
    assert.equal(err.exitCode, want.exit, code);
    assert.equal(exitCodeOf(err), exitCodeOf(new MetricsError(p.message, code)), code);
    assert.deepEqual(mcpErrorOf(err), mcpErrorOf(new MetricsError(p.message, code)), code);
    assert.equal(err.code, new MetricsError(p.message, code).code, code);
  }
  const notes = metricsError({
    ok: false,
    code: "invalid",
    message: "notes are too long",
    subject: "notes",
    option: "notes",
  });
  assert.equal(notes.value, "notes");
  assert.equal(notes.option, "notes", "the CLI still says --notes");
});
