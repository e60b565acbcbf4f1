import assert from "node:assert/strict";
import { runSection } from "@kaizen/kaizen/testing";
import { conventions } from "./conventions.ts";

Deno.test("conventions: the repository's own file, with its source", async () => {
  const run = await runSection(conventions, {
    files: { "docs/CONVENTIONS.md": "- Tabs, not spaces.\n" },
  });
  assert.equal(
    run.markdown,
    "## Acme conventions\n\n_Source: `docs/CONVENTIONS.md`_\n\n- Tabs, not spaces.\n",
  );
});

Deno.test("conventions: the default list names the repository's channel", async () => {
  const run = await runSection(conventions, { repo: "acme/widgets" });
  assert.match(run.section?.content ?? "", /#eng-widgets/);
  assert.deepEqual(run.warnings, []);
});
