import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import { describeGeneratedTypes } from './describe-generated.js';
import './scalars.js';
import './errors.graphql.js';
import '../modules/controller/controller.graphql.js';
import '../modules/api-key/api-key.graphql.js';
import '../modules/viewer/viewer.graphql.js';
import '../modules/purpose/purpose.graphql.js';
import '../modules/notice/notice-version.graphql.js';
import '../modules/notice/version-statement.graphql.js';
import '../modules/notice/notice.graphql.js';
import '../modules/notice/coverage.graphql.js';
import '../modules/notification/notification.graphql.js';
import '../modules/notification/notification-columns.graphql.js';
import '../modules/message-template/message-template.graphql.js';
import '../modules/campaign/campaign.graphql.js';
import '../modules/subject/subject.graphql.js';
import '../modules/audit/audit.graphql.js';
import '../modules/access-request/access-request.graphql.js';
import '../modules/erasure/erasure.graphql.js';
import '../modules/regulator/regulator.graphql.js';
import '../modules/evidence/evidence.graphql.js';
import '../modules/consent-record/consent-record.graphql.js';
import '../modules/eligibility/eligibility.graphql.js';
import '../modules/transparency-log/transparency-log.graphql.js';
import '../modules/change-feed/change-feed.graphql.js';
import '../modules/webhook/webhook.graphql.js';
import '../modules/objection/objection.graphql.js';

builder.queryType({
  description: 'Reads. Every field requires an API key; each states the roles it admits.',
});
builder.mutationType({ description: 'Writes. Each returns a payload or a typed expected error.' });
builder.subscriptionType({ description: 'Live updates over Server-Sent Events.' });

export const schema = lexicographicSortSchema(describeGeneratedTypes(builder.toSchema()));
