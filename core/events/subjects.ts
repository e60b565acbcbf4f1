/**
 * The NATS subjects of the kaizen ecosystem (integration Pattern 2). The
 * names are contracts other systems subscribe to: keep them exact.
 *
 * @module
 */

/**
 * A bundle was assembled by `kaizen schedule prepare`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCHEDULE_PREPARED } from "../../mod.ts";
 *
 * assert.equal(SCHEDULE_PREPARED, "kaizen.schedule.prepared");
 * ```
 */
export const SCHEDULE_PREPARED = "kaizen.schedule.prepared";
/**
 * An execution record was appended by `kaizen metrics record`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRICS_RECORDED } from "../../mod.ts";
 *
 * assert.equal(METRICS_RECORDED, "kaizen.metrics.recorded");
 * ```
 */
export const METRICS_RECORDED = "kaizen.metrics.recorded";
/**
 * An agent prompt was installed into a repository by `kaizen agents install`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AGENT_INSTALLED } from "../../mod.ts";
 *
 * assert.equal(AGENT_INSTALLED, "kaizen.agent.installed");
 * ```
 */
export const AGENT_INSTALLED = "kaizen.agent.installed";

/**
 * Every subject kaizen publishes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SUBJECTS } from "../../mod.ts";
 *
 * // One `kaizen.>` subscription (or stream) hears every kaizen event.
 * assert.ok(SUBJECTS.every((subject) => subject.startsWith("kaizen.")));
 * assert.ok(SUBJECTS.includes("kaizen.schedule.prepared"));
 * ```
 */
export const SUBJECTS = [SCHEDULE_PREPARED, METRICS_RECORDED, AGENT_INSTALLED] as const;
export type Subject = typeof SUBJECTS[number];
