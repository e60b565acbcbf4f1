/**
 * The close-the-loop state API is part of the library (`mod.ts`), for
 * entry points such as an MCP server: a run recorded and a note added
 * through it show up in the next `prepareBundle`, and a bad value is refused
 * with a coded problem (a result, not a throw) before anything is written.
 */
import assert from "node:assert/strict";
import {
  appendMemoryNote,
  executionsPath,
  metricsError,
  prepareBundle,
  readMemory,
  readMetrics,
  recordExecution,
} from "../mod.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("mod.ts: recordExecution and appendMemoryNote feed the next prepareBundle", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-lib-state-" });
  try {
    await new Deno.Command("cp", { args: ["-r", `${ROOT}/examples/pilot/.`, dir] }).output();
    const now = new Date("2026-11-23T10:00:00Z");
    const before = await readMetrics(dir, "coach", { now });
    assert.ok(before.ok);

    const refused = await recordExecution(dir, "coach", {
      success: true,
      time_seconds: 60,
      quality: 1.5,
    }, { now });
    assert.ok(!refused.ok);
    assert.equal(refused.code, "invalid");
    assert.equal(refused.subject, "quality");
    assert.equal(metricsError(refused).exitCode, 2);
    const after = await readMetrics(dir, "coach", { now });
    assert.ok(after.ok);
    assert.equal(after.records.length, before.records.length);

    const rec = await recordExecution(dir, "coach", {
      success: true,
      time_seconds: 600,
      quality: 0.8,
      notes: "library path",
    }, { now });
    assert.ok(rec.ok);
    assert.equal(rec.summary.runs, before.summary.runs + 1);
    assert.equal(rec.record.notes, "library path");
    const log = await Deno.readTextFile(`${dir}/${executionsPath("coach")}`);
    assert.equal(log.trimEnd().split("\n").length, before.records.length + 1);

    const note = "the VAT test needs a fixed clock";
    const added = await appendMemoryNote(dir, "coach", note, now);
    assert.equal(added.ok, true);
    const memory = await readMemory(dir, "coach");
    assert.ok(memory.ok && memory.text.includes(note));

    const { bundle } = await prepareBundle({ target: dir, agent: "coach", now });
    const text = bundle.sections.map((s) => s.content).join("\n");
    assert.ok(text.includes(note), "the new note is in the next bundle");
    assert.ok(
      text.includes(`| Runs | ${before.summary.runs + 1} |`),
      "the next bundle's metrics count the new run",
    );
    assert.ok(text.includes("| Last run | 2026-11-23T10:00:00Z |"), "and show it as the last run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
