-- Endpoint health, kept by the records of attempts: failures since the last success and
-- when the first of them was made (auto-disable reads it), the last attempt's time and
-- status. Existing endpoints start healthy; their next attempt sets it right.
-- The secret before the last rotation, which still signs until previous_secret_until.
-- Each attempt's response headers (bounded by the worker), beside its response body.
-- deliveries_endpoint_idx gains status and attempt count, so that an endpoint's deliveries
-- of the last 24 hours are counted by outcome from the index alone.
DROP INDEX "deliveries_endpoint_idx";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_response_headers" jsonb;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD COLUMN "response_headers" jsonb;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "last_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "last_status_code" integer;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "previous_secret" text;--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "previous_secret_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "deliveries_endpoint_idx" ON "deliveries" USING btree ("endpoint_id","created_at","status","attempt_count");