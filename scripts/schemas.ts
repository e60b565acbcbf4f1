import { z } from "zod";
import { ScheduleModel } from "../core/manifest/model.ts";
import { BundleModel } from "../core/bundle/model.ts";
import { ScheduleListModel } from "../core/manifest/listing_model.ts";
import { ScheduleValidateModel } from "../core/manifest/validate_model.ts";
import { MetricsShowModel } from "../core/state/metrics/show_model.ts";
import { EVENT_MODELS } from "../core/events/model.ts";
import { RosterDiscoverModel } from "../core/roster/model.ts";
import { DoctorReportModel } from "../core/doctor/model.ts";
import { EventsTailLineModel } from "../core/events/tail_model.ts";
import { FleetRosterModel, FleetStatusModel } from "../core/fleet/model.ts";

/** File name → JSON text of every generated schema. */
export function generatedSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  const schedule = z.toJSONSchema(ScheduleModel, { io: "input" });
  out["schedule.schema.json"] = JSON.stringify(schedule, null, 2) + "\n";
  const bundle = z.toJSONSchema(BundleModel, { io: "output" });
  out["bundle.schema.json"] = JSON.stringify(bundle, null, 2) + "\n";
  const list = z.toJSONSchema(ScheduleListModel, { io: "output" });
  out["schedule-list.schema.json"] = JSON.stringify(list, null, 2) + "\n";
  const validate = z.toJSONSchema(ScheduleValidateModel, { io: "output" });
  out["schedule-validate.schema.json"] = JSON.stringify(validate, null, 2) + "\n";
  const metricsShow = z.toJSONSchema(MetricsShowModel, { io: "output" });
  out["metrics-show.schema.json"] = JSON.stringify(metricsShow, null, 2) + "\n";
  const roster = z.toJSONSchema(RosterDiscoverModel, { io: "output" });
  out["roster-discover.schema.json"] = JSON.stringify(roster, null, 2) + "\n";
  const doctor = z.toJSONSchema(DoctorReportModel, { io: "output" });
  out["doctor.schema.json"] = JSON.stringify(doctor, null, 2) + "\n";
  const tail = z.toJSONSchema(EventsTailLineModel, { io: "output" });
  out["events-tail.schema.json"] = JSON.stringify(tail, null, 2) + "\n";
  const fleet = z.toJSONSchema(FleetStatusModel, { io: "output" });
  out["fleet-status.schema.json"] = JSON.stringify(fleet, null, 2) + "\n";
  const fleetRoster = z.toJSONSchema(FleetRosterModel, { io: "output" });
  out["fleet-roster.schema.json"] = JSON.stringify(fleetRoster, null, 2) + "\n";
  for (const [subject, model] of Object.entries(EVENT_MODELS)) {
    const schema = z.toJSONSchema(model, { io: "output" });
    out[`events/${subject}.schema.json`] = JSON.stringify(schema, null, 2) + "\n";
  }
  return out;
}
