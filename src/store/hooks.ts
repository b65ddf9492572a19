/** Named trigger hooks (issue 5). Filled in by that feature's work. */
// biome-ignore lint/suspicious/noEmptyInterface: the feature adds its operations here.
export interface HookStore {}
