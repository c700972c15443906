import { graphql } from '../graphql/index.js';

/** Records notifications, their delivery events and responses in one request (erasure and access tests). */
export const RecordSeed = graphql(`
  mutation RecordSeed($n: RecordNotificationsInput!, $e: RecordNotificationEventsInput!, $r: RecordResponsesInput!) {
    recordNotifications(input: $n) {
      ... on RecordNotificationsPayload {
        accepted
      }
    }
    recordNotificationEvents(input: $e) {
      ... on RecordNotificationEventsPayload {
        accepted
      }
    }
    recordResponses(input: $r) {
      ... on RecordResponsesPayload {
        accepted
      }
    }
  }
`);
