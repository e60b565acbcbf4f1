/**
 * The published payloads are held to the contract a strict consumer reads
 * (spec/event-kaizen-schedule-prepared.md): no `cadence: null`, only the
 * pointer labels that exist, a non-empty `session_close`, an absolute
 * `root`, a non-empty `repo` — in the zod models, hence in the generated
 * schemas, and in what the payload builder agrees to build.
 */
import assert from "node:assert/strict";
import { SchedulePreparedModel } from "../core/events/model.ts";
import { notScheduledReason, schedulePrepared } from "../core/events/payloads.ts";
import { BundleModel } from "../core/bundle/model.ts";
import type { Bundle } from "../core/bundle/types.ts";

const VALID = {
  event: "kaizen.schedule.prepared",
  version: "1",
  occurred_at: "2026-12-06T09:00:12Z",
  repo: "acme-invoices",
  root: "/srv/checkouts/alpha",
  agent: "coach",
  cadence: "weekly",
  prepare_command:
    "kaizen schedule prepare coach --target /srv/checkouts/alpha --repo acme-invoices",
  bundle: {
    format: "markdown",
    agent_prompt_found: true,
    has_memory: true,
    has_metrics: false,
    pointers: ["scope", "todo"],
    bytes: 8421,
  },
  session_close: ["kaizen metrics record coach --success --time <s> --quality <0-1>"],
};

Deno.test("schedule.prepared model: the spec's example shape is valid", () => {
  assert.ok(SchedulePreparedModel.safeParse(VALID).success);
});

for (
  const [name, change] of [
    ["cadence null", (p: typeof VALID) => ({ ...p, cadence: null })],
    ["an unknown pointer label", (p: typeof VALID) => ({
      ...p,
      bundle: { ...p.bundle, pointers: ["scope", "readme"] },
    })],
    ["an empty session_close", (p: typeof VALID) => ({ ...p, session_close: [] })],
    ["an empty close command", (p: typeof VALID) => ({ ...p, session_close: [""] })],
    ["a relative root", (p: typeof VALID) => ({ ...p, root: "checkouts/alpha" })],
    ["an empty repo", (p: typeof VALID) => ({ ...p, repo: "" })],
  ] as const
) {
  Deno.test(`schedule.prepared model refuses ${name}`, () => {
    assert.equal(SchedulePreparedModel.safeParse(change(VALID)).success, false);
  });
}

function bundle(schedule: Bundle["schedule"], cadence: Bundle["cadence"]): Bundle {
  return {
    schema: "kaizen.bundle/v1",
    agent: "coach",
    repo: "demo",
    root: "/tmp/demo",
    cadence,
    schedule,
    generated_at: "2026-12-06T08:00:00Z",
    prepare_command: "kaizen schedule prepare coach --target /tmp/demo --repo demo",
    format: "markdown",
    agent_prompt_found: true,
    agent_prompt_source: "packaged",
    has_memory: false,
    has_metrics: false,
    pointers: [],
    bytes: 10,
    session_close: ["kaizen metrics record coach --success --time <s> --quality <0-1>"],
    sections: [],
    tokens: null,
    token_encoding: null,
    max_tokens: null,
    redactions: 0,
    warnings: [],
    sha256: "0".repeat(64),
    kaizen_version: "0.1.0",
  };
}

Deno.test("a bundle that is not a scheduled run is never turned into an event", () => {
  const absent = bundle(
    { manifest: "absent", listed: false, enabled: null, cron: null, timezone: null },
    null,
  );
  const invalid = bundle(
    { manifest: "invalid", listed: false, enabled: null, cron: null, timezone: null },
    null,
  );
  const unlisted = bundle(
    { manifest: "valid", listed: false, enabled: null, cron: null, timezone: "UTC" },
    null,
  );
  for (
    const [b, why] of [[absent, /no \.kaizen\/schedule\.yml/], [invalid, /is invalid/], [
      unlisted,
      /not listed/,
    ]] as const
  ) {
    assert.match(notScheduledReason(b) ?? "", why);
    assert.throws(() => schedulePrepared(b), why);
  }
  const listed = bundle(
    { manifest: "valid", listed: true, enabled: true, cron: "0 9 * * 1", timezone: "UTC" },
    "weekly",
  );
  assert.equal(notScheduledReason(listed), undefined);
  assert.ok(SchedulePreparedModel.safeParse(schedulePrepared(listed)).success);
});

Deno.test("bundle model refuses a relative root, an empty repo or session_close, unknown labels", () => {
  const ok = bundle(
    { manifest: "valid", listed: true, enabled: true, cron: "0 9 * * 1", timezone: "UTC" },
    "weekly",
  );
  assert.ok(BundleModel.safeParse(ok).success);
  for (
    const bad of [
      { ...ok, root: "demo" },
      { ...ok, repo: "" },
      { ...ok, session_close: [] },
      { ...ok, pointers: ["changelog"] },
    ]
  ) {
    assert.equal(BundleModel.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 120));
  }
});
