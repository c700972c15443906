import type { App } from '../../../src/app.js';
import type { PublishMessageTemplateInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';

export const PublishTemplate = graphql(`
  mutation PublishTemplate($input: PublishMessageTemplateInput!) {
    publishMessageTemplate(input: $input) {
      __typename
      ... on PublishMessageTemplatePayload {
        created
        messageTemplate {
          id
          key
          channel
          locale
          revision
          subject
          body
          linkTarget
          contentHash
          canonicalForm
          publishedAt
          publishedBy
        }
      }
      ... on InputValidationError {
        code
        issues {
          path
          message
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export function templateInput(
  overrides: Partial<PublishMessageTemplateInput> = {},
): PublishMessageTemplateInput {
  return {
    key: 'notice-change',
    channel: 'EMAIL',
    locale: 'en',
    subject: 'We changed our privacy notice',
    body: 'Hello {{firstName}},\n\nwe changed our privacy notice: {{link}}\n',
    linkTarget: 'https://example.com/privacy',
    ...overrides,
  };
}

/** Publishes a template revision that must succeed; returns it. */
export async function publishTemplate(
  app: App,
  key: string,
  overrides: Partial<PublishMessageTemplateInput> = {},
) {
  const result = expectData(
    await execute(app, PublishTemplate, { key, variables: { input: templateInput(overrides) } }),
  ).publishMessageTemplate;
  if (result.__typename !== 'PublishMessageTemplatePayload') throw new Error(JSON.stringify(result));
  return result;
}
