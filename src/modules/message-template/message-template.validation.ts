import { z } from 'zod';
import { channels, storable } from '../notification/notification.validation.js';
import { recordKey } from '../purpose/purpose.validation.js';

export type Channel = (typeof channels)[number];

/** Whether a channel's messages carry a subject line (docs/message-templates.md, "Subject lines"). */
export const subjectRule: Readonly<Record<Channel, 'REQUIRED' | 'OPTIONAL' | 'FORBIDDEN'>> = {
  EMAIL: 'REQUIRED',
  PUSH: 'OPTIONAL',
  IN_APP: 'OPTIONAL',
  WEB_BANNER: 'OPTIONAL',
  POSTAL: 'OPTIONAL',
  OTHER: 'OPTIONAL',
  SMS: 'FORBIDDEN',
};

export const maxSubjectLength = 500;
export const maxBodyLength = 100_000;
export const maxLinkLength = 2_048;

const storableMessage = 'must not contain U+0000 or an unpaired surrogate';
/** U+0000-U+001F or U+007F: a line break in a subject could start another mail header (header injection). */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
const blank = (value: string) => value.trim().length === 0;

/**
 * The template's text is hashed and stored exactly as sent (no trimming): a proof quotes it. It
 * must not be blank, nor hold text PostgreSQL cannot store.
 */
const body = z
  .string()
  .max(maxBodyLength, `must be at most ${maxBodyLength.toLocaleString('en')} characters`)
  .refine((value) => !blank(value), 'must not be empty')
  .refine(storable, storableMessage);

const subject = z
  .string()
  .max(maxSubjectLength, `must be at most ${maxSubjectLength} characters`)
  .refine((value) => !blank(value), 'must not be empty; leave it out instead')
  .refine(storable, storableMessage)
  .refine((value) => !hasControlCharacter(value), 'must be one line without control characters');

/**
 * An https URL with a host and no credentials, or a path on the controller's own site: one
 * leading `/`, never `//` (another host). No spaces, control characters or backslashes anywhere:
 * browsers read `\` as `/`, so `/\host` would leave the site too.
 */
export function isLinkTarget(value: string): boolean {
  if (/[\s\\]/.test(value) || hasControlCharacter(value)) return false;
  if (value.startsWith('/')) return !value.startsWith('//');
  if (!/^https:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const linkTarget = z
  .string()
  .max(maxLinkLength, `must be at most ${maxLinkLength} characters`)
  .refine(storable, storableMessage)
  .refine(isLinkTarget, 'must be an https:// URL (no user or password) or a path starting with a single /');

export const publishTemplateSchema = z
  .object({
    key: recordKey,
    channel: z.enum(channels),
    locale: z
      .string()
      .min(2, 'must be at least 2 characters')
      .max(35, 'must be at most 35 characters')
      .refine(storable, storableMessage),
    subject: subject.nullish(),
    body,
    linkTarget: linkTarget.nullish(),
  })
  .superRefine((input, context) => {
    const rule = subjectRule[input.channel];
    if (rule === 'REQUIRED' && input.subject == null)
      context.addIssue({ code: 'custom', path: ['subject'], message: `is required for ${input.channel}` });
    if (rule === 'FORBIDDEN' && input.subject != null)
      context.addIssue({
        code: 'custom',
        path: ['subject'],
        message: `must be left out: ${input.channel} messages have no subject`,
      });
  });

export type PublishTemplateInput = z.output<typeof publishTemplateSchema>;
