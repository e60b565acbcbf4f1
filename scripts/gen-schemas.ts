/**
 * Writes `schemas/*.schema.json` from the zod models. Run `deno task schema`
 * after changing a model; `tests/schema_test.ts` fails while they are stale.
 */
import { generatedSchemas } from "./schemas.ts";

await Deno.mkdir(new URL("../schemas/events", import.meta.url), { recursive: true });
for (const [file, text] of Object.entries(generatedSchemas())) {
  await Deno.writeTextFile(new URL(`../schemas/${file}`, import.meta.url), text);
  console.log(`wrote schemas/${file}`);
}
