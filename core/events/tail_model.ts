/**
 * zod model of one line of `kaizen events tail --format json`: the source of
 * `schemas/events-tail.schema.json`. Not loaded by the CLI at run time (the
 * command imports only the type).
 *
 * The event's payload is carried as it was published, inside an envelope
 * that says where it came from, so a strict consumer can validate `payload`
 * against `schemas/events/<subject>.schema.json` unchanged.
 *
 * @module
 */
import { z } from "zod";
import type { ModelAgrees } from "../model_agrees.ts";

export const EventsTailLineModel = z.strictObject({
  subject: z.string().describe("The NATS subject the event was published on."),
  stream: z.string().nullable().describe(
    "The JetStream stream it was read from; null for a core subscription (no stream).",
  ),
  seq: z.int().positive().nullable().describe("Its sequence in that stream; null without one."),
  time: z.string().nullable().describe(
    "When the stream stored it (RFC 3339); null without a stream.",
  ),
  received_at: z.string().describe("When `tail` received it (RFC 3339)."),
  payload: z.unknown().describe(
    "The event as published (JSON), strings redacted and stripped of control characters; null when the message is not JSON.",
  ),
  text: z.string().optional().describe(
    "Only when the message is not JSON: its text (at most 4096 characters, redacted).",
  ),
}).meta({
  title: "kaizen events tail line",
  description: "One line of `kaizen events tail --format json`: one event.",
});

/** One line of `kaizen events tail --format json`. */
export interface EventsTailLine {
  subject: string;
  /** The stream it was read from; null for a core subscription. */
  stream: string | null;
  /** Its sequence in that stream. */
  seq: number | null;
  /** When the stream stored it (RFC 3339). */
  time: string | null;
  /** When `tail` received it (RFC 3339). */
  received_at: string;
  /** The event as published; null when the message is not JSON. */
  payload: unknown;
  /** Only for a message that is not JSON: its text. */
  text?: string;
}

// Compile-time: the written-out type says what the model says.
true satisfies ModelAgrees<typeof EventsTailLineModel, EventsTailLine>;
