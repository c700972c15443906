import { describe, expect, it } from 'vitest';
import { acceptedLocales, maxPreferences } from '../../../src/modules/public-page/accept-language.js';

describe('Accept-Language preferences', () => {
  it.each([
    [null, []],
    ['', []],
    ['de', ['de']],
    ['de-at, en;q=0.5', ['de-AT', 'en']],
    ['en;q=0.5, fr;q=0.9, de', ['de', 'fr', 'en']],
    ['fr;q=0.8, de;q=0.8', ['fr', 'de']],
    ['en, *;q=0.1', ['en']],
    ['en;q=0, de', ['de']],
    ['de;q=2, en;q=x, fr;q=0.5', ['fr']],
    ['de, DE, de;q=0.3', ['de']],
    ['<script>, zh-hant-tw', ['zh-Hant-TW']],
    ['x, 1234, de-', []],
  ])('%j asks for %j', (header, locales) => {
    expect(acceptedLocales(header)).toEqual(locales);
  });

  it(`keeps the first ${maxPreferences} preferences only`, () => {
    const header = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg', 'hh'].join(', ');
    expect(acceptedLocales(header)).toEqual(['aa', 'bb', 'cc', 'dd', 'ee', 'ff']);
  });
});
