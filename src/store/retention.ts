/** Deleting what is past the retention window (issue 4). Filled in by that feature's work. */
// biome-ignore lint/suspicious/noEmptyInterface: the feature adds its operations here.
export interface RetentionStore {}
