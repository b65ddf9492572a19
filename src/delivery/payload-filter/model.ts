/**
 * The shapes of an endpoint's payload filter: the parsed tree that evaluation walks, what
 * it is matched against, and why a document was refused. The document syntax (Convoy's,
 * a subset of MongoDB's query language) is in docs/filters.md.
 */

/** A value as `JSON.parse` returns it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A parsed, validated filter: a typed tree, so that evaluation never meets an unknown operator. */
export type PayloadFilter = FilterNode;

export type FilterNode =
  /** Every branch holds: several keys of one document, `$and`, and `{}` (no branch: always). */
  | { readonly kind: "all"; readonly of: readonly FilterNode[] }
  /** At least one branch holds: `$or`. */
  | { readonly kind: "any"; readonly of: readonly FilterNode[] }
  /** One operator applied to the values found at one place in the event. */
  | { readonly kind: "field"; readonly target: FieldTarget; readonly test: FieldTest };

export type FieldTarget =
  /** `data.object.amount` → `["data", "object", "amount"]`. */
  | { readonly from: "payload"; readonly path: readonly string[] }
  /** `headers.X-Shopify-Topic` → `x-shopify-topic`. */
  | { readonly from: "header"; readonly name: string };

export type EqualityOperator = "$eq" | "$neq";
export type MembershipOperator = "$in" | "$nin";
export type OrderOperator = "$gt" | "$gte" | "$lt" | "$lte";

export type FieldTest =
  | { readonly op: EqualityOperator; readonly value: JsonValue }
  | { readonly op: MembershipOperator; readonly values: readonly JsonValue[] }
  | { readonly op: OrderOperator; readonly bound: number | string }
  | { readonly op: "$exist"; readonly present: boolean }
  | { readonly op: "$regex"; readonly pattern: RegExp };

export type FieldOperator = FieldTest["op"];

/** The operators a field takes, in the order an error message lists them. */
export const FIELD_OPERATORS: readonly FieldOperator[] = [
  "$eq",
  "$neq",
  "$in",
  "$nin",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$exist",
  "$regex",
];

/** The operators that combine filter documents. */
export const LOGICAL_OPERATORS = ["$and", "$or"] as const;

/**
 * Where a filter document is wrong, as a dotted path from `filter`
 * (`filter.data.amount.$gtt`, `filter.$or[1].type`), and what to do about it.
 */
export interface FilterProblem {
  readonly path: string;
  readonly message: string;
}

/** What a filter is matched against: the event's payload, and its headers under "headers." (names lower case). */
export interface FilterSubject {
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Bounds on a filter document. A filter runs in hookyard's process for every event its
 * endpoint subscribes to, so its cost per event must stay small and known.
 */
export const FILTER_LIMITS = {
  /** Objects and arrays inside one another, the document itself counting as one. */
  maxDepth: 16,
  /** Operators on fields (a bare value is one `$eq`), plus each document in `$and` / `$or`. */
  maxConditions: 256,
  /** The document written as JSON (`JSON.stringify`), in characters. */
  maxJsonLength: 32_768,
  /** A `$regex` source, in characters: it is run against every event's values. */
  maxRegexLength: 256,
} as const;
