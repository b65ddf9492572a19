/** The dashboard's shared components, for feature pages. See README.md beside this file. */
export { CopyableText, CopyButton, uniqueId } from "./copy-button.tsx";
export { EmptyState } from "./empty-state.tsx";
export { errorPageResponse } from "./error-page.tsx";
export { type FilterField, FilterForm } from "./filter-form.tsx";
export { type FieldProblems, FormField, fieldAria } from "./form-field.tsx";
export { JsonView, prettyJson, TextView, truncateUtf8 } from "./json-view.tsx";
export { KeyValue, type KeyValueItem } from "./key-value.tsx";
export { LiveRegion, type LiveSpec, type LiveTopic } from "./live-region.tsx";
export { attr, type Cell, Markup, markup, renderCell } from "./markup.ts";
export { Notice } from "./notice.tsx";
export { Pager } from "./pager.tsx";
export { CsrfField, PostButton } from "./post-button.tsx";
export { hrefWith, type QueryValues, queryValue } from "./query.ts";
export { maskSecret, SecretValue } from "./secret-value.tsx";
export { badgeTone, StatusBadge } from "./status-badge.tsx";
export { type Column, Table } from "./table.tsx";
export { formatUtc, Time } from "./time.tsx";
