/**
 * Builds event payloads from what kaizen already computed. Pure functions:
 * the payload is metadata and commands only, never bundle content.
 *
 * @module
 */
import type { Bundle } from "../bundle/types.ts";
import type { SchedulePrepared } from "./model.ts";
import { SCHEDULE_PREPARED } from "./subjects.ts";

/**
 * Why `bundle` is not a scheduled run, or undefined when it is. The event
 * contract describes runs an orchestrator scheduled: the agent is listed,
 * with a cadence, in the repository's valid manifest. A bundle prepared
 * without one is still a bundle, but announcing it would hand consumers a
 * payload the contract does not allow (`cadence: null`).
 *
 * @example
 * ```ts
 * const why = notScheduledReason(bundle);
 * if (why) console.error(`not announced: ${why}`);
 * ```
 */
export function notScheduledReason(bundle: Bundle): string | undefined {
  if (bundle.schedule.manifest === "absent") {
    return "the repository has no .kaizen/schedule.yml, so this is not a scheduled run";
  }
  if (bundle.schedule.manifest === "invalid") {
    return "the repository's .kaizen/schedule.yml is invalid, so this is not a scheduled run";
  }
  if (!bundle.schedule.listed || bundle.cadence === null) {
    return `agent '${bundle.agent}' is not listed in .kaizen/schedule.yml, so this is not a scheduled run`;
  }
  return undefined;
}

/** The fields every v1 event about one agent of one repository opens with, in the spec's order. */
export interface EventHead<S extends string> {
  event: S;
  version: "1";
  occurred_at: string;
  repo: string;
  root: string;
  agent: string;
}

/**
 * The head of a v1 event (see {@link EventHead}): `repo` is the roster slug,
 * `root` the checkout's real path.
 */
export function eventHead<S extends string>(
  event: S,
  occurredAt: string,
  where: { repo: string; root: string },
  agent: string,
): EventHead<S> {
  return {
    event,
    version: "1",
    occurred_at: occurredAt,
    repo: where.repo,
    root: where.root,
    agent,
  };
}

/**
 * The `kaizen.schedule.prepared` v1 payload for a rendered bundle (its
 * `bytes` is the rendered size). Exactly the spec's fields, in its order.
 * Throws for a bundle that is not a scheduled run ({@link notScheduledReason}).
 */
export function schedulePrepared(bundle: Bundle): SchedulePrepared {
  const why = notScheduledReason(bundle);
  if (why !== undefined || bundle.cadence === null) throw new Error(why ?? "no cadence");
  return {
    ...eventHead(SCHEDULE_PREPARED, bundle.generated_at, bundle, bundle.agent),
    cadence: bundle.cadence,
    prepare_command: bundle.prepare_command,
    bundle: {
      format: bundle.format,
      agent_prompt_found: bundle.agent_prompt_found,
      has_memory: bundle.has_memory,
      has_metrics: bundle.has_metrics,
      pointers: [...bundle.pointers],
      bytes: bundle.bytes,
    },
    session_close: [...bundle.session_close],
  };
}

/**
 * The JetStream message id for an event: the same subject, repo, agent and
 * content give the same id, so a retry or a re-run of an identical bundle is
 * stored once. Hex, so no header-unsafe character from a slug can reach the
 * wire. (Node's hash is synchronous and ~20x cheaper per call than
 * `crypto.subtle`; it is loaded only by the commands that publish.)
 */
export async function eventMessageId(subject: string, ...parts: string[]): Promise<string> {
  hasher ??= import("node:crypto").then((m) => m.createHash);
  const createHash = await hasher;
  return createHash("sha256").update([subject, ...parts].join("\u0000")).digest("hex").slice(0, 40);
}

let hasher: Promise<typeof import("node:crypto").createHash> | undefined;
