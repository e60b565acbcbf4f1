/**
 * Event payloads (core/events/): `kaizen.schedule.prepared` carries exactly
 * the v1 spec's fields, built from a real bundle, and validates against the
 * generated schema's model.
 */
import assert from "node:assert/strict";
import { eventMessageId, schedulePrepared } from "../core/events/payloads.ts";
import { SchedulePreparedModel } from "../core/events/model.ts";
import { SCHEDULE_PREPARED, SUBJECTS } from "../core/events/subjects.ts";
import type { Bundle } from "../core/bundle/types.ts";
import { CLI_ENTRIES, REPO_ROOT, runCli } from "./_cli.ts";
import { SPEC_BUNDLE, SPEC_TOP } from "./_event_spec.ts";

async function pilotBundle(format: "json" | "markdown" = "json"): Promise<Bundle> {
  const r = await runCli(CLI_ENTRIES[0], [
    "schedule",
    "prepare",
    "coach",
    "--target",
    `${REPO_ROOT}/examples/pilot`,
    "--now",
    "2026-11-23T08:00:00Z",
    "--format",
    "json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const bundle = JSON.parse(r.stdout) as Bundle;
  return format === "json" ? bundle : { ...bundle, format };
}

Deno.test("kaizen.schedule.prepared: exactly the spec's keys, mirrored from the bundle JSON", async () => {
  const bundle = await pilotBundle();
  const event = schedulePrepared(bundle);
  assert.deepEqual(Object.keys(event), SPEC_TOP);
  assert.deepEqual(Object.keys(event.bundle), SPEC_BUNDLE);
  SchedulePreparedModel.parse(event);
  assert.equal(event.event, SCHEDULE_PREPARED);
  assert.equal(event.version, "1");
  assert.equal(event.occurred_at, "2026-11-23T08:00:00Z");
  assert.equal(event.repo, bundle.repo);
  assert.equal(event.root, bundle.root);
  assert.equal(event.agent, "coach");
  assert.equal(event.cadence, "weekly");
  assert.equal(event.prepare_command, bundle.prepare_command);
  assert.deepEqual(event.bundle, {
    format: "json",
    agent_prompt_found: bundle.agent_prompt_found,
    has_memory: bundle.has_memory,
    has_metrics: bundle.has_metrics,
    pointers: bundle.pointers,
    bytes: bundle.bytes,
  });
  assert.deepEqual(event.session_close, bundle.session_close);
  // Metadata only: no section content travels.
  const text = JSON.stringify(event);
  for (const s of bundle.sections) {
    if (s.content.length > 40) assert.ok(!text.includes(s.content.slice(0, 40)), s.id);
  }
});

Deno.test("event message ids: stable for the same repo, agent and content; different otherwise", async () => {
  const a = await eventMessageId(SCHEDULE_PREPARED, "repo", "coach", "0".repeat(64));
  assert.equal(a, await eventMessageId(SCHEDULE_PREPARED, "repo", "coach", "0".repeat(64)));
  assert.match(a, /^[0-9a-f]{40}$/);
  assert.notEqual(a, await eventMessageId(SCHEDULE_PREPARED, "repo", "coach", "1".repeat(64)));
  assert.notEqual(
    a,
    await eventMessageId(SCHEDULE_PREPARED, "repo", "optimization", "0".repeat(64)),
  );
  // A separator inside a part cannot make two different inputs collide.
  assert.notEqual(
    await eventMessageId(SCHEDULE_PREPARED, "a b", "c"),
    await eventMessageId(SCHEDULE_PREPARED, "a", "b c"),
  );
});

Deno.test("every published subject has a generated schema", async () => {
  for (const subject of SUBJECTS) {
    const schema = JSON.parse(
      await Deno.readTextFile(new URL(`../schemas/events/${subject}.schema.json`, import.meta.url)),
    );
    assert.equal(schema.properties.event.const, subject);
  }
});
