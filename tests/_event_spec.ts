/**
 * Test helper (not a test): the `kaizen.schedule.prepared` v1 key sets, field
 * for field from shared/spec/event-kaizen-schedule-prepared.md.
 *
 * @module
 */

export const SPEC_TOP: readonly string[] = [
  "event",
  "version",
  "occurred_at",
  "repo",
  "root",
  "agent",
  "cadence",
  "prepare_command",
  "bundle",
  "session_close",
];

export const SPEC_BUNDLE: readonly string[] = [
  "format",
  "agent_prompt_found",
  "has_memory",
  "has_metrics",
  "pointers",
  "bytes",
];
