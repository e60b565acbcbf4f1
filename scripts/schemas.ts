import { z } from "zod";
import { ScheduleModel } from "../core/manifest/model.ts";

/** File name → JSON text of every generated schema. */
export function generatedSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  const schedule = z.toJSONSchema(ScheduleModel, { io: "input" });
  out["schedule.schema.json"] = JSON.stringify(schedule, null, 2) + "\n";
  return out;
}
