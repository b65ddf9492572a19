CREATE TABLE "sources" (
	"name" text PRIMARY KEY NOT NULL,
	"verifier" jsonb NOT NULL,
	"event_type" text,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "endpoints" ADD COLUMN "filter" jsonb;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "body" text;--> statement-breakpoint
-- A raw body is compressed as payloads are (0001_lz4_compression.sql), where lz4 is there.
DO $$
BEGIN
  EXECUTE 'ALTER TABLE events ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
  RAISE NOTICE 'this PostgreSQL cannot use lz4: raw bodies stay compressed with pglz';
END
$$;
