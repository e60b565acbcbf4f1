/**
 * Writes `core/time/zones.generated.ts`: the runtime's IANA zone names, so
 * validating a common zone needs no ICU time-zone initialisation (~20 ms of
 * start-up). tests/zones_test.ts fails while it is stale.
 */
import { zonesModuleText } from "./zones.ts";

await Deno.writeTextFile(
  new URL("../core/time/zones.generated.ts", import.meta.url),
  zonesModuleText(),
);
console.log("wrote core/time/zones.generated.ts");
