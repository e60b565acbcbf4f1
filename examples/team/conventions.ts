/**
 * The team's own section: its conventions, in every scheduled session's
 * bundle, from each repository's `docs/CONVENTIONS.md` or a default list.
 *
 * @module
 */
import { definePlugin, type Plugin } from "@kaizen/kaizen/plugin";

/** Where a repository keeps its conventions. */
export const CONVENTIONS_FILE = "docs/CONVENTIONS.md";

export const conventions: Plugin = definePlugin({
  name: "acme-conventions",
  version: "1.0.0",
  apiVersion: 1,
  sections: [{
    id: "acme-conventions",
    title: "Acme conventions",
    order: 450, // after pointers (400), before session-close (900)
    priority: 15, // under --max-tokens: cut after pointers (10), before metrics (20)
    async collect(ctx) {
      // Every read goes through ctx.files: bounded, and never outside the repo.
      const read = await ctx.files.readText(CONVENTIONS_FILE);
      if (read.status === "ok") {
        return { content: read.text, source: read.path };
      }
      if (read.status === "refused") {
        ctx.warn(`${CONVENTIONS_FILE} was not read: ${read.reason}`);
      }
      const channel = `#eng-${ctx.repo.split("/").pop()}`;
      return {
        content: [
          "- Small pull requests, one concern each; link the issue.",
          `- Ask in ${channel} before changing a public API.`,
        ].join("\n"),
      };
    },
  }],
});
