/**
 * The zod model of `kaizen schedule validate --format json`: the source of
 * `schemas/schedule-validate.schema.json`. Not loaded by the CLI at run
 * time; tests check real outputs against it.
 *
 * @module
 */
import { z } from "zod";
import { ScheduleModel } from "./model.ts";

/** One coded, positioned problem (core/diagnostics.ts). */
export const DiagnosticModel = z.strictObject({
  severity: z.enum(["error", "warning"]),
  code: z.string().describe("Stable id, e.g. unknown-key, invalid-cron, fixed-offset-timezone."),
  message: z.string().describe("One line; what it quotes from the file is redacted."),
  path: z.array(z.union([z.string(), z.int()])).describe(
    'Keys and indexes from the document\'s root, e.g. ["agents", "coach", "cron"].',
  ),
  line: z.int().positive(),
  col: z.int().positive(),
  file: z.string().optional(),
});

/** What `schedule validate --format json` prints. */
export const ScheduleValidateModel = z.strictObject({
  file: z.string().describe("The manifest checked, as given (or <target>/.kaizen/schedule.yml)."),
  valid: z.boolean(),
  exists: z.boolean().describe("False when there is no manifest at `file` (then valid is false)."),
  diagnostics: z.array(DiagnosticModel),
  schedule: ScheduleModel.optional().describe("The manifest with defaults applied, when valid."),
}).meta({
  title: "kaizen schedule validate",
  description: "Output of `kaizen schedule validate [FILE] --format json`.",
});
