/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateKeyForErrors($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n": typeof types.CreateKeyForErrorsDocument,
    "\n  mutation UpdateSettingsForErrors($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n": typeof types.UpdateSettingsForErrorsDocument,
    "\n  query ViewerControllerForErrors {\n    viewer {\n      keyName\n      controller {\n        slug\n      }\n    }\n  }\n": typeof types.ViewerControllerForErrorsDocument,
    "\n  query Viewer {\n    viewer {\n      keyName\n      role\n      controller {\n        slug\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query KeysPage($first: Int!) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.KeysPageDocument,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ApiKey {\n        name\n      }\n      ... on Controller {\n        slug\n      }\n    }\n  }\n": typeof types.NodeByIdDocument,
    "\n  query ViewerControllerId {\n    viewer {\n      controller {\n        id\n      }\n    }\n  }\n": typeof types.ViewerControllerIdDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeyPayload {\n        secret\n        apiKey {\n          id\n          name\n          role\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.CreateKeyDocument,
    "\n  query ListKeys($first: Int) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          status\n        }\n      }\n    }\n  }\n": typeof types.ListKeysDocument,
    "\n  mutation RevokeKey($id: ID!) {\n    revokeApiKey(input: { id: $id }) {\n      __typename\n      ... on RevokeApiKeyPayload {\n        apiKey {\n          id\n          status\n          revokedAt\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.RevokeKeyDocument,
    "\n  query ViewerController {\n    viewer {\n      role\n      controller {\n        slug\n        minimumNoticeDays\n      }\n    }\n  }\n": typeof types.ViewerControllerDocument,
    "\n  mutation UpdateSettings($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on UpdateControllerSettingsPayload {\n        controller {\n          minimumNoticeDays\n          dpoContact\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.UpdateSettingsDocument,
    "\n  query VersionCount($key: String!) {\n    notice(key: $key) {\n      versions(first: 100) {\n        edges {\n          node {\n            number\n          }\n        }\n      }\n      drafts(first: 100) {\n        edges {\n          node {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.VersionCountDocument,
    "\n  mutation CreatePurpose($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          id\n          key\n          status\n          current {\n            number\n            legalBasis\n            legitimateInterest\n            transfers {\n              destination\n              safeguard\n            }\n          }\n        }\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.CreatePurposeDocument,
    "\n  mutation RevisePurpose($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          current {\n            number\n            legalBasis\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": typeof types.RevisePurposeDocument,
    "\n  mutation ArchivePurpose($key: String!) {\n    archivePurpose(input: { key: $key }) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          status\n        }\n      }\n    }\n  }\n": typeof types.ArchivePurposeDocument,
    "\n  query PurposeAt($key: String!, $at: DateTime!) {\n    purpose(key: $key) {\n      key\n      revisionAt(at: $at) {\n        number\n        legalBasis\n        purposeKey\n      }\n      revisions {\n        number\n      }\n    }\n  }\n": typeof types.PurposeAtDocument,
    "\n  query PurposeList($first: Int!, $includeArchived: Boolean) {\n    purposes(first: $first, includeArchived: $includeArchived) {\n      edges {\n        node {\n          key\n          status\n          current {\n            number\n            name\n            purposeKey\n          }\n        }\n      }\n    }\n  }\n": typeof types.PurposeListDocument,
    "\n  mutation CreatePurposeForFixture($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n    }\n  }\n": typeof types.CreatePurposeForFixtureDocument,
    "\n  mutation RevisePurposeForFixture($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n    }\n  }\n": typeof types.RevisePurposeForFixtureDocument,
    "\n  mutation CreateNoticeForFixture($input: CreateNoticeInput!) {\n    createNotice(input: $input) {\n      __typename\n    }\n  }\n": typeof types.CreateNoticeForFixtureDocument,
    "\n  mutation CreateDraft($input: CreateNoticeDraftInput!) {\n    createNoticeDraft(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on UnknownPurposesError {\n        purposeKeys\n      }\n    }\n  }\n": typeof types.CreateDraftDocument,
    "\n  mutation Publish($input: PublishNoticeVersionInput!) {\n    publishNoticeVersion(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          number\n          status\n          contentHash\n          classification\n          effectiveFrom\n          leadTimeOverrideReason\n          classificationReasons {\n            code\n            classification\n            purposeKey\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NoticeVersionIncompleteError {\n        missingLocales\n        emptyLocales\n      }\n      ... on NoticeLeadTimeError {\n        earliestEffectiveFrom\n        minimumNoticeDays\n      }\n    }\n  }\n": typeof types.PublishDocument,
};
const documents: Documents = {
    "\n  mutation CreateKeyForErrors($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n": types.CreateKeyForErrorsDocument,
    "\n  mutation UpdateSettingsForErrors($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n": types.UpdateSettingsForErrorsDocument,
    "\n  query ViewerControllerForErrors {\n    viewer {\n      keyName\n      controller {\n        slug\n      }\n    }\n  }\n": types.ViewerControllerForErrorsDocument,
    "\n  query Viewer {\n    viewer {\n      keyName\n      role\n      controller {\n        slug\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  query KeysPage($first: Int!) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.KeysPageDocument,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ApiKey {\n        name\n      }\n      ... on Controller {\n        slug\n      }\n    }\n  }\n": types.NodeByIdDocument,
    "\n  query ViewerControllerId {\n    viewer {\n      controller {\n        id\n      }\n    }\n  }\n": types.ViewerControllerIdDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeyPayload {\n        secret\n        apiKey {\n          id\n          name\n          role\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.CreateKeyDocument,
    "\n  query ListKeys($first: Int) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          status\n        }\n      }\n    }\n  }\n": types.ListKeysDocument,
    "\n  mutation RevokeKey($id: ID!) {\n    revokeApiKey(input: { id: $id }) {\n      __typename\n      ... on RevokeApiKeyPayload {\n        apiKey {\n          id\n          status\n          revokedAt\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.RevokeKeyDocument,
    "\n  query ViewerController {\n    viewer {\n      role\n      controller {\n        slug\n        minimumNoticeDays\n      }\n    }\n  }\n": types.ViewerControllerDocument,
    "\n  mutation UpdateSettings($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on UpdateControllerSettingsPayload {\n        controller {\n          minimumNoticeDays\n          dpoContact\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.UpdateSettingsDocument,
    "\n  query VersionCount($key: String!) {\n    notice(key: $key) {\n      versions(first: 100) {\n        edges {\n          node {\n            number\n          }\n        }\n      }\n      drafts(first: 100) {\n        edges {\n          node {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.VersionCountDocument,
    "\n  mutation CreatePurpose($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          id\n          key\n          status\n          current {\n            number\n            legalBasis\n            legitimateInterest\n            transfers {\n              destination\n              safeguard\n            }\n          }\n        }\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.CreatePurposeDocument,
    "\n  mutation RevisePurpose($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          current {\n            number\n            legalBasis\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n": types.RevisePurposeDocument,
    "\n  mutation ArchivePurpose($key: String!) {\n    archivePurpose(input: { key: $key }) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          status\n        }\n      }\n    }\n  }\n": types.ArchivePurposeDocument,
    "\n  query PurposeAt($key: String!, $at: DateTime!) {\n    purpose(key: $key) {\n      key\n      revisionAt(at: $at) {\n        number\n        legalBasis\n        purposeKey\n      }\n      revisions {\n        number\n      }\n    }\n  }\n": types.PurposeAtDocument,
    "\n  query PurposeList($first: Int!, $includeArchived: Boolean) {\n    purposes(first: $first, includeArchived: $includeArchived) {\n      edges {\n        node {\n          key\n          status\n          current {\n            number\n            name\n            purposeKey\n          }\n        }\n      }\n    }\n  }\n": types.PurposeListDocument,
    "\n  mutation CreatePurposeForFixture($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n    }\n  }\n": types.CreatePurposeForFixtureDocument,
    "\n  mutation RevisePurposeForFixture($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n    }\n  }\n": types.RevisePurposeForFixtureDocument,
    "\n  mutation CreateNoticeForFixture($input: CreateNoticeInput!) {\n    createNotice(input: $input) {\n      __typename\n    }\n  }\n": types.CreateNoticeForFixtureDocument,
    "\n  mutation CreateDraft($input: CreateNoticeDraftInput!) {\n    createNoticeDraft(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on UnknownPurposesError {\n        purposeKeys\n      }\n    }\n  }\n": types.CreateDraftDocument,
    "\n  mutation Publish($input: PublishNoticeVersionInput!) {\n    publishNoticeVersion(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          number\n          status\n          contentHash\n          classification\n          effectiveFrom\n          leadTimeOverrideReason\n          classificationReasons {\n            code\n            classification\n            purposeKey\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NoticeVersionIncompleteError {\n        missingLocales\n        emptyLocales\n      }\n      ... on NoticeLeadTimeError {\n        earliestEffectiveFrom\n        minimumNoticeDays\n      }\n    }\n  }\n": types.PublishDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateKeyForErrors($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateKeyForErrors($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSettingsForErrors($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSettingsForErrors($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on InputValidationError {\n        code\n        issues {\n          path\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerControllerForErrors {\n    viewer {\n      keyName\n      controller {\n        slug\n      }\n    }\n  }\n"): (typeof documents)["\n  query ViewerControllerForErrors {\n    viewer {\n      keyName\n      controller {\n        slug\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      keyName\n      role\n      controller {\n        slug\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      keyName\n      role\n      controller {\n        slug\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KeysPage($first: Int!) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query KeysPage($first: Int!) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ApiKey {\n        name\n      }\n      ... on Controller {\n        slug\n      }\n    }\n  }\n"): (typeof documents)["\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ApiKey {\n        name\n      }\n      ... on Controller {\n        slug\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerControllerId {\n    viewer {\n      controller {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query ViewerControllerId {\n    viewer {\n      controller {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeyPayload {\n        secret\n        apiKey {\n          id\n          name\n          role\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      __typename\n      ... on CreateApiKeyPayload {\n        secret\n        apiKey {\n          id\n          name\n          role\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListKeys($first: Int) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListKeys($first: Int) {\n    apiKeys(first: $first) {\n      edges {\n        node {\n          id\n          name\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeKey($id: ID!) {\n    revokeApiKey(input: { id: $id }) {\n      __typename\n      ... on RevokeApiKeyPayload {\n        apiKey {\n          id\n          status\n          revokedAt\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeKey($id: ID!) {\n    revokeApiKey(input: { id: $id }) {\n      __typename\n      ... on RevokeApiKeyPayload {\n        apiKey {\n          id\n          status\n          revokedAt\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerController {\n    viewer {\n      role\n      controller {\n        slug\n        minimumNoticeDays\n      }\n    }\n  }\n"): (typeof documents)["\n  query ViewerController {\n    viewer {\n      role\n      controller {\n        slug\n        minimumNoticeDays\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSettings($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on UpdateControllerSettingsPayload {\n        controller {\n          minimumNoticeDays\n          dpoContact\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSettings($input: UpdateControllerSettingsInput!) {\n    updateControllerSettings(input: $input) {\n      __typename\n      ... on UpdateControllerSettingsPayload {\n        controller {\n          minimumNoticeDays\n          dpoContact\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VersionCount($key: String!) {\n    notice(key: $key) {\n      versions(first: 100) {\n        edges {\n          node {\n            number\n          }\n        }\n      }\n      drafts(first: 100) {\n        edges {\n          node {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query VersionCount($key: String!) {\n    notice(key: $key) {\n      versions(first: 100) {\n        edges {\n          node {\n            number\n          }\n        }\n      }\n      drafts(first: 100) {\n        edges {\n          node {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePurpose($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          id\n          key\n          status\n          current {\n            number\n            legalBasis\n            legitimateInterest\n            transfers {\n              destination\n              safeguard\n            }\n          }\n        }\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePurpose($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          id\n          key\n          status\n          current {\n            number\n            legalBasis\n            legitimateInterest\n            transfers {\n              destination\n              safeguard\n            }\n          }\n        }\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevisePurpose($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          current {\n            number\n            legalBasis\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevisePurpose($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          current {\n            number\n            legalBasis\n          }\n        }\n      }\n      ... on Error {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ArchivePurpose($key: String!) {\n    archivePurpose(input: { key: $key }) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ArchivePurpose($key: String!) {\n    archivePurpose(input: { key: $key }) {\n      __typename\n      ... on PurposePayload {\n        purpose {\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PurposeAt($key: String!, $at: DateTime!) {\n    purpose(key: $key) {\n      key\n      revisionAt(at: $at) {\n        number\n        legalBasis\n        purposeKey\n      }\n      revisions {\n        number\n      }\n    }\n  }\n"): (typeof documents)["\n  query PurposeAt($key: String!, $at: DateTime!) {\n    purpose(key: $key) {\n      key\n      revisionAt(at: $at) {\n        number\n        legalBasis\n        purposeKey\n      }\n      revisions {\n        number\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PurposeList($first: Int!, $includeArchived: Boolean) {\n    purposes(first: $first, includeArchived: $includeArchived) {\n      edges {\n        node {\n          key\n          status\n          current {\n            number\n            name\n            purposeKey\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PurposeList($first: Int!, $includeArchived: Boolean) {\n    purposes(first: $first, includeArchived: $includeArchived) {\n      edges {\n        node {\n          key\n          status\n          current {\n            number\n            name\n            purposeKey\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePurposeForFixture($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePurposeForFixture($input: CreatePurposeInput!) {\n    createPurpose(input: $input) {\n      __typename\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevisePurposeForFixture($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n    }\n  }\n"): (typeof documents)["\n  mutation RevisePurposeForFixture($input: RevisePurposeInput!) {\n    revisePurpose(input: $input) {\n      __typename\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateNoticeForFixture($input: CreateNoticeInput!) {\n    createNotice(input: $input) {\n      __typename\n    }\n  }\n"): (typeof documents)["\n  mutation CreateNoticeForFixture($input: CreateNoticeInput!) {\n    createNotice(input: $input) {\n      __typename\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDraft($input: CreateNoticeDraftInput!) {\n    createNoticeDraft(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on UnknownPurposesError {\n        purposeKeys\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDraft($input: CreateNoticeDraftInput!) {\n    createNoticeDraft(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InputValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on UnknownPurposesError {\n        purposeKeys\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Publish($input: PublishNoticeVersionInput!) {\n    publishNoticeVersion(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          number\n          status\n          contentHash\n          classification\n          effectiveFrom\n          leadTimeOverrideReason\n          classificationReasons {\n            code\n            classification\n            purposeKey\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NoticeVersionIncompleteError {\n        missingLocales\n        emptyLocales\n      }\n      ... on NoticeLeadTimeError {\n        earliestEffectiveFrom\n        minimumNoticeDays\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Publish($input: PublishNoticeVersionInput!) {\n    publishNoticeVersion(input: $input) {\n      __typename\n      ... on NoticeVersionPayload {\n        version {\n          id\n          number\n          status\n          contentHash\n          classification\n          effectiveFrom\n          leadTimeOverrideReason\n          classificationReasons {\n            code\n            classification\n            purposeKey\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on NoticeVersionIncompleteError {\n        missingLocales\n        emptyLocales\n      }\n      ... on NoticeLeadTimeError {\n        earliestEffectiveFrom\n        minimumNoticeDays\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;