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
 * import assert from "node:assert/strict";
 * import { prepareBundle } from "../../mod.ts";
 * import { notScheduledReason } from "./payloads.ts";
 *
 * const repo = await Deno.makeTempDir(); // no .kaizen/schedule.yml
 * try {
 *   const { bundle } = await prepareBundle({ target: repo, agent: "coach", repo: "acme/widgets" });
 *   assert.equal(
 *     notScheduledReason(bundle),
 *     "the repository has no .kaizen/schedule.yml, so this is not a scheduled run",
 *   );
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareBundle, SCHEDULE_PREPARED, schedulePrepared } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   await Deno.writeTextFile(
 *     `${repo}/.kaizen/schedule.yml`,
 *     'version: "1"\nagents:\n  coach:\n    cadence: weekly\n',
 *   );
 *   const { bundle } = await prepareBundle({ target: repo, agent: "coach", repo: "acme/widgets" });
 *   const event = schedulePrepared(bundle);
 *   assert.equal(event.event, SCHEDULE_PREPARED);
 *   assert.equal(event.repo, "acme/widgets");
 *   assert.equal(event.cadence, "weekly");
 *   assert.equal(event.bundle.bytes, bundle.bytes);
 *   assert.ok(!JSON.stringify(event).includes("# Coach")); // metadata, never the bundle's text
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventMessageId, SCHEDULE_PREPARED } from "../../mod.ts";
 *
 * const idOf = (agent: string) =>
 *   eventMessageId(SCHEDULE_PREPARED, "acme/widgets", agent, "sha256-of-the-bundle");
 * const id = await idOf("coach");
 * assert.match(id, /^[0-9a-f]{40}$/);
 * // A retry of the same event has the same id, so JetStream stores it once.
 * assert.equal(await idOf("coach"), id);
 * assert.notEqual(await idOf("tidy"), id);
 * ```
 */
export async function eventMessageId(subject: string, ...parts: string[]): Promise<string> {
  hasher ??= import("node:crypto").then((m) => m.createHash);
  const createHash = await hasher;
  return createHash("sha256").update([subject, ...parts].join("\u0000")).digest("hex").slice(0, 40);
}

let hasher: Promise<typeof import("node:crypto").createHash> | undefined;
