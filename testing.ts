/**
 * Test helpers for plugin authors (being written: see issue 18).
 *
 * @module
 */
export {};
