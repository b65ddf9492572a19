-- A delivery's latest attempt lives on its row; delivery_attempts holds the attempts a
-- later one replaced. Existing rows keep their attempts where they are (last_attempt_id
-- null): readers take both places.
ALTER TABLE "deliveries" ADD COLUMN "last_attempt_id" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_attempted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_duration_ms" integer;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_response_body" text;--> statement-breakpoint
-- As delivery_attempts.response_body in 0001: lz4 where the server has it.
DO $$
BEGIN
  EXECUTE 'ALTER TABLE deliveries ALTER COLUMN last_response_body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
  RAISE NOTICE 'this PostgreSQL cannot use lz4: large values stay compressed with pglz';
END
$$;
