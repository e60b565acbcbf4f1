import assert from "node:assert/strict";
import { PACKAGED_AGENTS } from "../agents/packaged.ts";
import { redactSecrets } from "../core/redact/mod.ts";

// prepare does not scan packaged prompts (they ship inside kaizen, not in the
// repo), so this test is what guarantees they carry nothing to redact.
Deno.test("packaged prompts contain nothing the secret scanner would redact", async () => {
  for (const [name, text] of Object.entries(PACKAGED_AGENTS)) {
    const r = await redactSecrets(text, { source: `agent-${name}.md` });
    assert.equal(
      r.count,
      0,
      `agent-${name}.md: ${r.findings.map((f) => `${f.rule}@${f.line}`).join(", ")}`,
    );
  }
});

Deno.test("packaged prompts: coach, optimization and tdd-workflow, each with a title and a closing section", () => {
  assert.deepEqual(Object.keys(PACKAGED_AGENTS).sort(), ["coach", "optimization", "tdd-workflow"]);
  for (const [name, text] of Object.entries(PACKAGED_AGENTS)) {
    assert.match(text, /^# \S/, `${name} starts with a title`);
    assert.match(
      text,
      new RegExp(`kaizen metrics record ${name} --success`),
      `${name} records metrics`,
    );
    assert.match(text, new RegExp(`kaizen memory add ${name} `), `${name} updates memory`);
  }
});
