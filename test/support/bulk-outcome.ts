import { graphql } from '../graphql/index.js';

/** What the notification tests read of a bulk write's outcome. */
export const BulkOutcomeFragment = graphql(`
  fragment BulkOutcome on RecordNotificationsPayload {
    batchId
    accepted
    duplicates
    rejected
    items {
      index
      idempotencyKey
      status
      recordId
      error {
        code
        issues {
          path
        }
      }
    }
  }
`);
