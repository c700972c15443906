/** The e-mails that announced versions 3 and 4 (message template `notice-change`, one revision each). */
const texts = {
  en: {
    subject: ['We are updating our privacy policy', 'Changes to our privacy policy from January'],
    greeting: 'Hello {{firstName}},',
    body: [
      'we will start training our assistant on public posts. You can object in your settings.',
      'a research partner joins our AI training, and the newsletter can become personalised.',
    ],
    link: 'Read the new policy: {{link}}',
  },
  de: {
    subject: [
      'Wir aktualisieren unsere Datenschutzhinweise',
      'Änderungen unserer Datenschutzhinweise ab Januar',
    ],
    greeting: 'Hallo {{firstName}},',
    body: [
      'wir trainieren unseren Assistenten künftig mit öffentlichen Beiträgen. Sie können in Ihren Einstellungen widersprechen.',
      'ein Forschungspartner beteiligt sich am KI-Training, und der Newsletter kann personalisiert werden.',
    ],
    link: 'Die neuen Hinweise: {{link}}',
  },
  fr: {
    subject: [
      'Nous mettons à jour notre politique de confidentialité',
      'Changements de notre politique de confidentialité en janvier',
    ],
    greeting: 'Bonjour {{firstName}},',
    body: [
      'nous allons entraîner notre assistant sur les publications publiques. Vous pouvez vous y opposer dans vos paramètres.',
      'un partenaire de recherche rejoint l’entraînement de notre IA, et la lettre d’information peut devenir personnalisée.',
    ],
    link: 'Lire la nouvelle politique : {{link}}',
  },
} as const;

/** Revision `revision` (1: version 3, 2: version 4) of the e-mail in every demo locale. */
export function demoMessageTemplates(revision: 1 | 2) {
  return Object.entries(texts).map(([locale, text]) => ({
    key: 'notice-change',
    channel: 'EMAIL',
    locale,
    subject: text.subject[revision - 1],
    body: `${text.greeting}\n\n${text.body[revision - 1]}\n\n${text.link}\n`,
    linkTarget: `https://demo.example/${locale}/privacy`,
  }));
}
