import { describe, expect, test } from "bun:test";
import { Webhook } from "svix";
import { buildDeliveryRequest, unsignedHeaders } from "../../../src/delivery/request.ts";
import { generateEndpointSecret } from "../../../src/lib/standard-webhooks.ts";

const secret = generateEndpointSecret();
const message = {
  messageId: "dlv_01JD8X3Q",
  type: "github.push",
  timestamp: new Date("2026-11-22T10:00:00.123Z"),
  data: { ref: "refs/heads/main", commits: [{ id: "abc" }] },
  secret,
  version: "0.1.0",
};

describe("buildDeliveryRequest", () => {
  test("the body is {type, timestamp, data} with the event time in ISO form", () => {
    const { body } = buildDeliveryRequest(message);
    expect(JSON.parse(body)).toEqual({
      type: "github.push",
      timestamp: "2026-11-22T10:00:00.123Z",
      data: { ref: "refs/heads/main", commits: [{ id: "abc" }] },
    });
  });

  test("keeps data present as null when there is none", () => {
    const { body } = buildDeliveryRequest({ ...message, data: undefined });
    expect(JSON.parse(body)).toHaveProperty("data", null);
  });

  test("sets the contract's headers", () => {
    const sentAt = new Date("2026-11-22T12:00:00.999Z");
    const { headers } = buildDeliveryRequest({ ...message, sentAt });
    expect(headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "dlv_01JD8X3Q",
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "user-agent": "hookyard/0.1.0",
    });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  test("signs with the send time, not the event time, so late retries still verify", () => {
    const { headers } = buildDeliveryRequest({
      ...message,
      timestamp: new Date("2020-01-01T00:00:00Z"),
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(Math.abs(Number(headers["webhook-timestamp"]) - nowSeconds)).toBeLessThanOrEqual(1);
  });

  test("passes svix's Webhook.verify with the endpoint secret", () => {
    const { body, headers } = buildDeliveryRequest(message);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  test("fails svix's Webhook.verify with another secret", () => {
    const { body, headers } = buildDeliveryRequest(message);
    expect(() => new Webhook(generateEndpointSecret()).verify(body, headers)).toThrow();
  });

  test("keeps the same webhook-id on every attempt", () => {
    const first = buildDeliveryRequest({ ...message, sentAt: new Date("2026-11-22T10:00:00Z") });
    const retry = buildDeliveryRequest({ ...message, sentAt: new Date("2026-11-22T15:00:00Z") });
    expect(retry.headers["webhook-id"]).toBe(first.headers["webhook-id"] as string);
    expect(retry.headers["webhook-signature"]).not.toBe(
      first.headers["webhook-signature"] as string,
    );
  });

  test("during a rotation's overlap, signs with both secrets, and svix verifies it with either", () => {
    const previousSecret = generateEndpointSecret();
    const { body, headers } = buildDeliveryRequest({ ...message, previousSecret });
    const signatures = (headers["webhook-signature"] as string).split(" ");
    expect(signatures).toHaveLength(2);
    expect(signatures.every((entry) => /^v1,[A-Za-z0-9+/]{43}=$/.test(entry))).toBe(true);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previousSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateEndpointSecret()).verify(body, headers)).toThrow();
  });

  test("without a previous secret, signs with the current one alone", () => {
    const { headers } = buildDeliveryRequest({ ...message, previousSecret: null });
    expect(headers["webhook-signature"]).not.toContain(" ");
  });

  test("the headers but the signature can be rebuilt from the attempt's time", () => {
    const sentAt = new Date("2026-11-22T12:00:00.999Z");
    const { headers } = buildDeliveryRequest({ ...message, sentAt });
    const { "webhook-signature": _, ...unsigned } = headers;
    expect(unsignedHeaders(message.messageId, sentAt, message.version)).toEqual(unsigned);
  });
});
