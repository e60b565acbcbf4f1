/**
 * The NATS subjects of the kaizen ecosystem (integration Pattern 2). The
 * names are contracts other systems subscribe to: keep them exact.
 *
 * @module
 */

/** A bundle was assembled by `kaizen schedule prepare`. */
export const SCHEDULE_PREPARED = "kaizen.schedule.prepared";
/** An execution record was appended by `kaizen metrics record`. */
export const METRICS_RECORDED = "kaizen.metrics.recorded";
/** An agent prompt was installed into a repository by `kaizen agents install`. */
export const AGENT_INSTALLED = "kaizen.agent.installed";

/** Every subject kaizen publishes. */
export const SUBJECTS = [SCHEDULE_PREPARED, METRICS_RECORDED, AGENT_INSTALLED] as const;
export type Subject = typeof SUBJECTS[number];
