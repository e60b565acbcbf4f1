/**
 * A team's own kaizen binary: the stock CLI plus an in-process section.
 *
 * Teams that want their conventions in every scheduled session's bundle, and
 * do not want to manage an external plugin on each runner host, write an
 * entry point like this one and compile it:
 *
 * ```sh
 * deno compile -A --output dist/team-kaizen examples/custom-binary.ts
 * ./dist/team-kaizen schedule prepare coach --target examples/pilot
 * ./dist/team-kaizen plugins list      # team-conventions shows as "embedded"
 * ```
 *
 * (`-A` keeps the example short; the stock binary is built with
 * `--allow-read --allow-write --allow-env --allow-run --allow-net --allow-sys=hostname`,
 * which is all kaizen needs.)
 *
 * @module
 */
import { definePlugin, runCli } from "../mod.ts";

/** Where the team keeps its conventions, relative to each target repo. */
const CONVENTIONS_FILE = "docs/CONVENTIONS.md";

const teamPlugin = definePlugin({
  name: "team-conventions",
  version: "1.0.0",
  apiVersion: 1,
  sections: [{
    id: "team-conventions",
    title: "Team conventions",
    // After pointers (400), before session-close (900).
    order: 450,
    // Under --max-tokens, trimmed after pointers (10) and before metrics (20).
    priority: 15,
    async collect(ctx) {
      // All reads go through ctx.files: bounded, and never outside the repo.
      const read = await ctx.files.readText(CONVENTIONS_FILE);
      if (read.status === "ok") return { content: read.text, source: read.path };
      if (read.status === "refused") ctx.warn(`${CONVENTIONS_FILE} was not read: ${read.reason}`);
      return {
        content: [
          "- Small pull requests, one concern each; link the issue.",
          "- Every behaviour change comes with a test.",
          `- Ask in #eng-${ctx.repo.split("/").pop()} before changing public APIs.`,
        ].join("\n"),
      };
    },
  }],
});

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, { plugins: [teamPlugin] }));
}
