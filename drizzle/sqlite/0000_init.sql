CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`status` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_expires_at` integer,
	`leased_by` text,
	`last_status_code` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`endpoint_id`) REFERENCES `endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`next_attempt_at`) WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `deliveries_endpoint_idx` ON `deliveries` (`endpoint_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deliveries_event_idx` ON `deliveries` (`event_id`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL,
	`attempted_at` integer NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`error` text,
	`response_body` text,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery_idx` ON `delivery_attempts` (`delivery_id`,`attempted_at`);--> statement-breakpoint
CREATE TABLE `endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`secret` text NOT NULL,
	`event_types` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`type` text NOT NULL,
	`entity_type` text,
	`entity_id` text,
	`action` text,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`payload` text NOT NULL,
	`headers` text NOT NULL,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_source_dedupe_key_uq` ON `events` (`source`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `events_received_idx` ON `events` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_source_received_idx` ON `events` (`source`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_type_received_idx` ON `events` (`type`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_entity_idx` ON `events` (`entity_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `hooks` (
	`id` text PRIMARY KEY NOT NULL,
	`userid` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_triggered_at` integer,
	`trigger_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `relay_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`project` text,
	`event_id` text,
	`event_type` text,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_expires_at` integer,
	`leased_by` text,
	`received_at` integer NOT NULL,
	`queued_at` integer NOT NULL,
	`last_attempt_at` integer,
	`sent_at` integer,
	`svix_message_id` text,
	`last_error` text,
	`pubsub_message_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `relay_messages_project_event_uq` ON `relay_messages` (`project`,`event_id`);--> statement-breakpoint
CREATE INDEX `relay_messages_due_idx` ON `relay_messages` (`next_attempt_at`) WHERE "relay_messages"."status" = 'queued';--> statement-breakpoint
CREATE INDEX `relay_messages_status_received_idx` ON `relay_messages` (`status`,`received_at`);