import { INSTALLED_AGENTS_DIR, packagedPrompt, type SectionPlugin } from "../../plugin.ts";

/** The agent's instructions: the repo's installed prompt, else the packaged one. */
export const promptSection: SectionPlugin = {
  id: "prompt",
  title: "Agent prompt",
  order: 100,
  required: true,
  summaryFields: ["agent_prompt_found", "agent_prompt_source"],
  async collect(ctx) {
    const rel = `${INSTALLED_AGENTS_DIR}/agent-${ctx.agent}.md`;
    const installed = await ctx.files.readText(rel);
    if (installed.status === "ok") {
      return {
        content: installed.text,
        source: rel,
        data: { origin: "installed" },
        summary: { agent_prompt_found: true, agent_prompt_source: "installed" },
      };
    }
    if (installed.status === "refused") ctx.warn(`${rel} not used: ${installed.reason}`);
    const packaged = packagedPrompt(ctx.agent);
    if (packaged !== undefined) {
      return {
        content: packaged,
        source: `packaged:${ctx.agent}`,
        data: { origin: "packaged" },
        summary: { agent_prompt_found: true, agent_prompt_source: "packaged" },
      };
    }
    return {
      status: "missing",
      content:
        `_No prompt found for agent \`${ctx.agent}\`: neither \`${rel}\` nor a packaged prompt._`,
      data: { origin: null },
    };
  },
};
