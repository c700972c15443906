-- Two small partial indexes for eligibility manifests (ADR 0027). Prisma's schema cannot state
-- partial indexes; the schema engine leaves them alone (`npm run migrate:check` stays clean).

-- Erased subjects by ID: a range of subject IDs finds its erasures without reading its subjects.
CREATE INDEX "Subject_erased_idx" ON "Subject"("id") WHERE "erasedAt" IS NOT NULL;

-- Delivery events that can show reach (never SENT, BOUNCED or FAILED; src/modules/notification/
-- reach.policy.ts), by notification key: the manifest's probe per notification reads this narrow
-- index, about a fifth of the unique index on (controller, key, type, time), and fetches only
-- the events that can count.
CREATE INDEX "NotificationEvent_reach_idx" ON "NotificationEvent"("controllerId", "notificationKey")
  WHERE "type" IN ('DELIVERED', 'OPENED', 'ACKNOWLEDGED', 'DISPLAYED', 'DISMISSED');
