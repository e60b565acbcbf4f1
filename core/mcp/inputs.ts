/**
 * The MCP tools' inputs: one zod model each, the JSON Schema a client sees
 * generated from it, and one-line messages for input that fails it.
 *
 * The bounds are the library's own constants (agent-name pattern, the
 * metrics record's time and quality ranges, the memory note's size), so a
 * value the CLI refuses is refused here with the same limits; the library
 * call behind each tool checks again before writing.
 *
 * @module
 */
import { z } from "zod";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { MAX_NOTE_BYTES } from "../state/memory.ts";
import { MAX_NOTES_CHARS, MAX_TIME_SECONDS } from "../state/metrics/mod.ts";

const Agent = z.string().max(64).regex(
  AGENT_NAME_RE,
  "must be an agent name: lowercase letters, digits and '-'",
).describe("Agent name, as in `kaizen agents list` (e.g. coach)");

const MaxTokens = z.number().int().positive().max(10_000_000)
  .describe("Token budget for the bundle; lower-priority sections are trimmed to fit");

export const PrepareBundleInput = z.strictObject({
  agent: Agent,
  format: z.enum(["markdown", "json"]).optional()
    .describe("markdown (default): the text; json: the bundle as structured content"),
  max_tokens: MaxTokens.optional(),
});

export const ScheduleStatusInput = z.strictObject({});

export const RecordRunInput = z.strictObject({
  agent: Agent,
  success: z.boolean().describe("Whether the run did what it set out to do"),
  time_seconds: z.number().min(0).max(MAX_TIME_SECONDS)
    .describe("Wall-clock length of the run in seconds"),
  quality: z.number().min(0).max(1).describe("Self-assessed quality, from 0 to 1"),
  notes: z.string().max(MAX_NOTES_CHARS).optional()
    .describe("One line on the run; secrets are redacted before writing"),
});

export const AddMemoryInput = z.strictObject({
  agent: Agent,
  note: z.string().min(1).max(MAX_NOTE_BYTES)
    .describe("What the next session should know; secrets are redacted before writing"),
});

export const EmitPreparedInput = z.strictObject({ agent: Agent });

/** A tool's JSON Schema, as MCP's `tools/list` carries it. */
export function inputSchema(model: z.ZodType): { type: "object"; [key: string]: unknown } {
  const schema = z.toJSONSchema(model, { target: "draft-7" }) as Record<string, unknown>;
  delete schema.$schema;
  return { ...schema, type: "object" };
}

/** Validates `args`; the error is one line naming the field, e.g. `quality: …`. */
export function parseInput<T extends z.ZodType>(
  model: T,
  args: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; message: string } {
  const parsed = model.safeParse(args ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  let message = issue.message;
  // An exclusive bound (`positive()`) is "more than 0": "at least 0" would name a refused value.
  if (issue.code === "too_big" && "maximum" in issue) {
    message = issue.inclusive === false
      ? `must be less than ${issue.maximum}`
      : `must be at most ${issue.maximum}`;
  } else if (issue.code === "too_small" && "minimum" in issue) {
    message = issue.origin === "string"
      ? "must not be empty"
      : issue.inclusive === false
      ? `must be more than ${issue.minimum}`
      : `must be at least ${issue.minimum}`;
  } else if (issue.code === "unrecognized_keys") {
    message = `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`;
  }
  return { ok: false, message: `invalid input: ${where}${message}` };
}
