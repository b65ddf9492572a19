/** The Svix relay outbox (issue 6). Filled in by that feature's work. */
// biome-ignore lint/suspicious/noEmptyInterface: the feature adds its operations here.
export interface RelayStore {}
