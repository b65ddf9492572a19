import type { EntityEventBody } from "../../../../src/ingest/entities/model.ts";

/** The contract's two example entity events, exactly as a sender posts them. */
export const createComponent: EntityEventBody = {
  action: "create",
  entity_type: "component",
  time: "2021-12-20T10:59:55Z",
  payload: { id: "25589645-cd89-44bb-8954-6b4ee87aa57f", name: "image name", file_type: "jpeg" },
};

export const updateTask: EntityEventBody = {
  action: "update",
  entity_type: "task",
  time: "2021-12-21T08:51:22Z",
  id: "25589645-cd89-44bb-8954-6b4ee87aa57f",
  modified_fields: ["assignee"],
  payload: { name: "task name", assignee_id: "5428abf6-0f4c-4448-b619-fc9f4327619b" },
};

/** A copy of `base` with fields replaced, or removed where the value is `undefined`. */
export function withFields(base: object, fields: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone({ ...base });
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}
