/**
 * The fleet status report (`kaizen fleet status --format json`), written out
 * for the published package; `./model.ts` is its zod model and the source of
 * `schemas/fleet-status.schema.json` (a compile-time check keeps both equal).
 *
 * @module
 */

/** The outcome of a (repo, agent)'s latest prepared run. */
export type RunOutcome = "ok" | "failed" | "open" | "running";

/** The worst thing a row shows, for sorting, colour and `--fail-on`. */
export type RowStatus = "missed" | "failed" | "open" | "ok";

/** How the run quality moved between the window's halves. */
export interface QualityTrend {
  /** Mean quality (0–1) of the closed runs in the window; null without one. */
  mean: number | null;
  /** Mean of the runs closed in the first half of the window. */
  first_half: number | null;
  /** Mean of the runs closed in the second half. */
  second_half: number | null;
  /** `up`/`down` when the halves differ by more than 0.05, else `flat`; null without both. */
  trend: "up" | "down" | "flat" | null;
}

/** The counts and figures a row and the fleet total share. */
export interface FleetCounts {
  /** Firings of the schedule inside the window. */
  expected: number;
  /** `kaizen.schedule.prepared` events joined in (duplicates dropped). */
  prepared: number;
  /** Prepared runs closed by a successful `kaizen.metrics.recorded`. */
  closed_ok: number;
  /** Prepared runs closed by a failed one. */
  closed_failed: number;
  /** Prepared, not closed, and the grace is over. */
  open: number;
  /** Prepared, not closed, still inside the grace. */
  running: number;
  /** Firings never prepared, and the grace is over. */
  missed: number;
  /** Firings not prepared yet, still inside the grace. */
  pending: number;
  /** Firings prepared, but later than the grace after the firing. */
  late: number;
  /** Prepared events that matched no firing (a second prepare, a manual run). */
  unscheduled: number;
  /** Recorded events that found no open prepared run to close. */
  unmatched_records: number;
  /** closed_ok / (closed_ok + closed_failed); null without a closed run. */
  success_rate: number | null;
  /** Median run time of the closed runs (seconds). */
  time_p50_seconds: number | null;
  /** 90th percentile run time (seconds). */
  time_p90_seconds: number | null;
  quality: QualityTrend;
  /** The latest prepared run and how it ended; null without one. */
  last_run: { at: string; outcome: RunOutcome } | null;
}

/** One (repo, agent) of the schedule. */
export interface FleetRow extends FleetCounts {
  repo: string;
  agent: string;
  cron: string;
  timezone: string;
  status: RowStatus;
}

/** One day's runs of one agent across the fleet (UTC days), for charts and dashboards. */
export interface FleetDay {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  agent: string;
  prepared: number;
  closed_ok: number;
  closed_failed: number;
  missed: number;
}

/** How many closed runs of one agent took up to `upper_seconds` (and more than the bin before). */
export interface DurationBin {
  agent: string;
  /** The bin's upper bound in seconds; null for the last, open-ended bin. */
  upper_seconds: number | null;
  runs: number;
}

/** Events for a (repo, agent) the schedule does not list. */
export interface UnscheduledPair {
  repo: string;
  agent: string;
  events: number;
}

/** The whole report. */
export interface FleetStatusReport {
  window: {
    start: string;
    end: string;
    /** The time the report was made for (open, missed and pending depend on it). */
    now: string;
    grace_seconds: number;
  };
  source: {
    /** Where the expected runs came from. */
    expected: "hub" | "roster-file" | "scan" | "runs-file" | "stream";
    /** The JetStream stream read; null when nothing was read. */
    stream: string | null;
    /** Messages read from the stream. */
    messages: number;
    /** Events joined (inside the window, of a known kind, not duplicates). */
    events: number;
    duplicates: number;
    /** Messages that were not a kaizen event of a known shape. */
    invalid: number;
    /** Events dated outside the window (and its grace). */
    outside_window: number;
  };
  total: FleetCounts;
  rows: FleetRow[];
  /** Events for (repo, agent) pairs the schedule does not list: at most 100 pairs. */
  unscheduled: { events: number; pairs: UnscheduledPair[] };
  /** Repos of the roster that give no expected run, and why (as `roster discover` says). */
  skipped: { repo: string; reason: string }[];
  daily: FleetDay[];
  /** Run times of the closed runs per agent, in fixed bins (for the distribution chart). */
  durations: DurationBin[];
}
