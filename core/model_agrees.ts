/**
 * The compile-time check that a zod model and the type written out beside it
 * say the same thing. The published types are written out (explicit for the
 * package's documentation and for readers), the models feed the JSON
 * Schemas; this keeps the two from drifting apart without a run-time cost.
 *
 * @module
 */
import type { z } from "zod";

/** True when `A` and `B` are the same type (optional fields included). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/**
 * `true` when what model `M` parses to is exactly `T`, else `false`: write
 * `true satisfies ModelAgrees<typeof M, T>;` and a drift fails type checking.
 */
export type ModelAgrees<M extends z.ZodType, T> = Same<z.output<M>, T>;
