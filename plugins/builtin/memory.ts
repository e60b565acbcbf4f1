import { memoryPath, type SectionPlugin } from "../../plugin.ts";

export { memoryPath };

/** What earlier sessions of this agent wrote down about the project. */
export const memorySection: SectionPlugin = {
  id: "memory",
  title: "Project memory",
  order: 200,
  priority: 30,
  // Sessions append dated notes at the bottom: under a budget, keep the newest.
  keep: "end",
  summaryFields: ["has_memory"],
  async collect(ctx) {
    const rel = memoryPath(ctx.agent);
    const r = await ctx.files.readText(rel);
    if (r.status === "ok" && r.text.trim() !== "") {
      return { content: r.text, source: rel, summary: { has_memory: true } };
    }
    if (r.status === "refused") {
      ctx.warn(`${rel} not read: ${r.reason}`);
      return { status: "warning", content: `_\`${rel}\` was not read: ${r.reason}._`, source: rel };
    }
    return {
      status: "missing",
      content: `_No memory yet (\`${rel}\` ${
        r.status === "ok" ? "is empty" : "does not exist"
      }). This is the first recorded session, or nothing was noted before._`,
      source: rel,
    };
  },
};
