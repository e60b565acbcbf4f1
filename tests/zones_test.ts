import assert from "node:assert/strict";
import { zonesModuleText } from "../scripts/zones.ts";
import { KNOWN_ZONES } from "../core/time/zones.generated.ts";
import { isValidTimeZone } from "../core/time/timezone.ts";

Deno.test("core/time/zones.generated.ts matches this runtime's zone list (run `deno task schema`)", async () => {
  const committed = await Deno.readTextFile(
    new URL("../core/time/zones.generated.ts", import.meta.url),
  );
  assert.equal(committed, zonesModuleText(), "stale: run `deno task schema`");
});

Deno.test("every generated zone is valid by the ICU check too (the fast path agrees with the slow one)", () => {
  for (const z of KNOWN_ZONES) {
    new Intl.DateTimeFormat("en-US", { timeZone: z }); // throws if ICU disagrees
    assert.ok(isValidTimeZone(z), z);
  }
});

Deno.test("zones outside the generated list still go through ICU: aliases pass, miscasing fails", () => {
  assert.ok(!KNOWN_ZONES.includes("US/Eastern"));
  assert.ok(isValidTimeZone("US/Eastern"));
  assert.ok(!isValidTimeZone("us/eastern"));
  assert.ok(!isValidTimeZone("Europe/Atlantis"));
});
