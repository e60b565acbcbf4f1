/**
 * The typed orientation bundle: what sections produce and sinks receive.
 * Its JSON form (`prepare --format json`) is a contract; `schemas/bundle.schema.json`
 * and these types are both generated from `model.ts`.
 *
 * @module
 */
import type { z } from "zod";
import type { BundleModel, BundleSectionModel } from "./model.ts";

/** Output format of a rendered bundle. */
export type BundleFormat = "markdown" | "json";

/** One section of the bundle. */
export type BundleSection = z.output<typeof BundleSectionModel>;

/** How a section's content came to be. */
export type SectionStatus = BundleSection["status"];

/** A pointer file found in the repo (`SCOPE.md` → `scope`). */
export interface BundlePointer {
  label: string;
  path: string;
}

/** The whole bundle, format-independent until rendered (see `model.ts` for field docs). */
export type Bundle = z.output<typeof BundleModel>;
