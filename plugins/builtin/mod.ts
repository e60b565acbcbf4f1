/**
 * The built-in plugin: the five standard sections and the stdout, file, nats
 * and artifact-store sinks,
 * declared with the same `definePlugin` API third parties use.
 *
 * @module
 */
import { definePlugin, type Plugin, VERSION } from "../../plugin.ts";
import { memorySection } from "./memory.ts";
import { metricsSection } from "./metrics.ts";
import { pointersSection } from "./pointers.ts";
import { promptSection } from "./prompt.ts";
import { sessionCloseSection } from "./session_close.ts";
import { fileSink, stdoutSink } from "./sinks.ts";
import { natsSink } from "./nats_sink.ts";
import { artifactStoreSink } from "./artifact_store_sink.ts";

/** Sections and sinks every kaizen has. */
export const builtinPlugin: Plugin = definePlugin({
  name: "builtin",
  version: VERSION,
  apiVersion: 1,
  sections: [promptSection, memorySection, metricsSection, pointersSection, sessionCloseSection],
  sinks: [stdoutSink, fileSink, natsSink, artifactStoreSink],
});
