import { readFileSync } from 'node:fs';

/**
 * The operations GraphiQL opens with: one tab per kind of user, each with the key role it needs
 * in its headers. The names (notice `privacy-policy`, subject `demo-user-0001`, purpose
 * `newsletter`) are those of the demo controller; change them here if the demo changes.
 */
export interface ExampleTab {
  readonly query: string;
  readonly variables: string;
  readonly headers: string;
}

const headersFor = (role: string) => `{"Authorization": "Bearer <${role} key>"}`;

const trustedDocuments = new URL('../trusted-documents/', import.meta.url);
const trusted = (file: string) => readFileSync(new URL(file, trustedDocuments), 'utf8').trim();

// The frontend tab holds the trusted documents themselves, so it shows exactly what runs by GET.
const frontend: ExampleTab = {
  headers: headersFor('READER'),
  variables: JSON.stringify({ noticeKey: 'privacy-policy', locale: 'en', number: 1 }, null, 2),
  query: `# Frontend: what a website or app shows. Needs a READER key (any controller role works).
# Put the key in the Headers pane below, then pick an operation with the run button.
# These are the trusted documents (src/graphql/trusted-documents/): they also run cached by GET
# with their document id, docs/caching.md.

# The version in force now, in the reader's language, and the one coming next.
${trusted('current-notice.graphql')}

# Every published version, newest first.
${trusted('notice-history.graphql')}

# The exact text of one version.
${trusted('notice-version.graphql')}
`,
};

const compliance: ExampleTab = {
  headers: headersFor('AUDITOR'),
  variables: JSON.stringify(
    { subjectRef: 'demo-user-0001', noticeKey: 'privacy-policy', version: 1, purposeKey: 'newsletter' },
    null,
    2,
  ),
  query: `# Compliance: proving who was told what. Needs an AUDITOR key (or ADMIN).

# Proof that one person was notified of one version, and in time.
query ProofOfNotification($subjectRef: String!, $noticeKey: String!, $version: Int!) {
  subject(ref: $subjectRef) {
    notificationProof(noticeKey: $noticeKey, version: $version) {
      ... on NotificationProof {
        reached
        firstReachedAt
        leadTimeMet
        leadTimeEndsAt
        notifications { reachedAt evidenceStrength textHash }
      }
      ... on Error { code message }
    }
  }
}

# Each campaign's figures: recorded, sent, delivered, opened, acknowledged, objections.
query CampaignFigures {
  campaigns(first: 10) {
    edges {
      node {
        name
        plannedSize
        version { number }
        figures { total { recorded sent delivered opened acknowledged bouncedOrFailed objected } }
      }
    }
  }
}

# May this person's data be processed for a purpose now? With the deciding rule.
query Eligibility($subjectRef: String!, $purposeKey: String!) {
  subject(ref: $subjectRef) {
    eligibility(purposeKey: $purposeKey) {
      ... on EligibilityResult { decision rule explanation legalBasis }
      ... on Error { code message }
    }
  }
}
`,
};

const regulator: ExampleTab = {
  headers: headersFor('REGULATOR'),
  variables: '{}',
  query: `# Regulator: a REGULATOR key reads one regulator request's scope, and nothing else.
# An AUDITOR or ADMIN opens the request and issues the key (docs/regulators.md).

query RegulatorScope {
  regulatorRequest {
    reference
    authority
    periodFrom
    periodTo
    noticeKeys
    subjectCount
    noticeVersions { number effectiveFrom contentHash text { locale title } }
    notifications(first: 20) {
      edges { node { channel status occurredAt version { number } } }
    }
  }
}
`,
};

const anyKey: ExampleTab = {
  headers: headersFor('any'),
  variables: '{}',
  query: `# Which key is this? Works with every key.
query WhoAmI {
  viewer { keyName role controller { slug } }
}
`,
};

export const exampleTabs: readonly ExampleTab[] = [frontend, compliance, regulator, anyKey];
