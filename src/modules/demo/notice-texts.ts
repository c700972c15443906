/**
 * The demo notice's wording in English, German and French, in sections: each version is a
 * choice of sections, so that its changes are the ones the demo wants to show.
 */
type Locale = 'en' | 'de' | 'fr';

interface Sections {
  readonly title: string;
  readonly intro: string;
  readonly account: string;
  readonly newsletter: string;
  readonly newsletterPersonalised: string;
  readonly aiTraining: string;
  readonly aiTrainingWithPartner: string;
  readonly rights: string;
  readonly contact: string;
  readonly contactReworded: string;
}

const sections: Record<Locale, Sections> = {
  en: {
    title: 'Privacy policy',
    intro:
      'Demo Social Ltd. ("we") runs the Demo Social network. This notice explains what we do with your personal data and why.',
    account:
      '## Your account\nWe use your account data to run the service you signed up for: signing in, your feed, your messages and keeping the service secure. We keep it while your account exists and for 30 days after.',
    newsletter:
      '## Newsletter\nIf you subscribe, we send you a monthly e-mail about new features. You can unsubscribe at any time with the link in every e-mail.',
    newsletterPersonalised:
      '## Personalised newsletter\nIf you agree, we choose the topics of your monthly e-mail from what you read most on Demo Social. We keep the topics you read for 180 days. You can withdraw your consent at any time.',
    aiTraining:
      '## Training our AI on public posts\nWe use the posts you made public to train the language models behind our assistant features. We never use private messages. We rely on our legitimate interest in improving the service; you can object at any time in your settings, and we will then leave your posts out.',
    aiTrainingWithPartner:
      '## Training our AI on public posts\nWe use the posts you made public to train the language models behind our assistant features, together with a university research partner in Switzerland. We never use private messages and keep training sets for up to two years. We rely on our legitimate interest in improving the service; you can object at any time in your settings, and we will then leave your posts out.',
    rights:
      '## Your rights\nYou can access, correct, erase and export your data, restrict its use and object to it. You can also complain to your data protection authority.',
    contact: '## Contact\nWrite to privacy@demo.example.',
    contactReworded:
      '## Contact\nOur data protection officer answers at privacy@demo.example, or by post at Demo Social Ltd., 1 Example Street, Dublin.',
  },
  de: {
    title: 'Datenschutzhinweise',
    intro:
      'Die Demo Social Ltd. („wir“) betreibt das Netzwerk Demo Social. Diese Hinweise erklären, was wir mit Ihren personenbezogenen Daten tun und warum.',
    account:
      '## Ihr Konto\nWir verwenden Ihre Kontodaten, um den Dienst zu erbringen, für den Sie sich angemeldet haben: Anmeldung, Ihr Feed, Ihre Nachrichten und die Sicherheit des Dienstes. Wir speichern sie, solange Ihr Konto besteht, und 30 Tage danach.',
    newsletter:
      '## Newsletter\nWenn Sie ihn abonnieren, senden wir Ihnen monatlich eine E-Mail über neue Funktionen. Sie können ihn jederzeit über den Link in jeder E-Mail abbestellen.',
    newsletterPersonalised:
      '## Personalisierter Newsletter\nWenn Sie einwilligen, wählen wir die Themen Ihrer monatlichen E-Mail nach dem aus, was Sie auf Demo Social am meisten lesen. Die gelesenen Themen speichern wir 180 Tage. Sie können Ihre Einwilligung jederzeit widerrufen.',
    aiTraining:
      '## Training unserer KI mit öffentlichen Beiträgen\nWir verwenden Ihre öffentlichen Beiträge, um die Sprachmodelle hinter unseren Assistenzfunktionen zu trainieren. Private Nachrichten verwenden wir nie. Wir stützen uns auf unser berechtigtes Interesse, den Dienst zu verbessern; Sie können jederzeit in Ihren Einstellungen widersprechen, dann lassen wir Ihre Beiträge aus.',
    aiTrainingWithPartner:
      '## Training unserer KI mit öffentlichen Beiträgen\nWir verwenden Ihre öffentlichen Beiträge, um gemeinsam mit einem universitären Forschungspartner in der Schweiz die Sprachmodelle hinter unseren Assistenzfunktionen zu trainieren. Private Nachrichten verwenden wir nie; Trainingsdaten speichern wir bis zu zwei Jahre. Wir stützen uns auf unser berechtigtes Interesse, den Dienst zu verbessern; Sie können jederzeit in Ihren Einstellungen widersprechen, dann lassen wir Ihre Beiträge aus.',
    rights:
      '## Ihre Rechte\nSie können Auskunft, Berichtigung, Löschung und Datenübertragung verlangen, die Verarbeitung einschränken lassen und ihr widersprechen. Sie können sich außerdem bei Ihrer Datenschutzaufsichtsbehörde beschweren.',
    contact: '## Kontakt\nSchreiben Sie an privacy@demo.example.',
    contactReworded:
      '## Kontakt\nUnser Datenschutzbeauftragter ist unter privacy@demo.example erreichbar, oder per Post: Demo Social Ltd., 1 Example Street, Dublin.',
  },
  fr: {
    title: 'Politique de confidentialité',
    intro:
      'Demo Social Ltd. (« nous ») exploite le réseau Demo Social. Cette notice explique ce que nous faisons de vos données personnelles et pourquoi.',
    account:
      '## Votre compte\nNous utilisons les données de votre compte pour fournir le service auquel vous vous êtes inscrit : connexion, fil d’actualité, messages et sécurité du service. Nous les conservons tant que votre compte existe, puis 30 jours.',
    newsletter:
      '## Lettre d’information\nSi vous vous abonnez, nous vous envoyons chaque mois un e-mail sur les nouvelles fonctionnalités. Vous pouvez vous désabonner à tout moment grâce au lien présent dans chaque e-mail.',
    newsletterPersonalised:
      '## Lettre d’information personnalisée\nSi vous y consentez, nous choisissons les sujets de votre e-mail mensuel d’après ce que vous lisez le plus sur Demo Social. Nous conservons les sujets lus pendant 180 jours. Vous pouvez retirer votre consentement à tout moment.',
    aiTraining:
      '## Entraînement de notre IA sur les publications publiques\nNous utilisons vos publications publiques pour entraîner les modèles de langage de nos fonctions d’assistance. Nous n’utilisons jamais les messages privés. Nous nous fondons sur notre intérêt légitime à améliorer le service ; vous pouvez vous y opposer à tout moment dans vos paramètres, et nous écarterons alors vos publications.',
    aiTrainingWithPartner:
      '## Entraînement de notre IA sur les publications publiques\nNous utilisons vos publications publiques pour entraîner, avec un partenaire de recherche universitaire en Suisse, les modèles de langage de nos fonctions d’assistance. Nous n’utilisons jamais les messages privés et conservons les jeux d’entraînement jusqu’à deux ans. Nous nous fondons sur notre intérêt légitime à améliorer le service ; vous pouvez vous y opposer à tout moment dans vos paramètres, et nous écarterons alors vos publications.',
    rights:
      '## Vos droits\nVous pouvez accéder à vos données, les rectifier, les effacer, les récupérer, en limiter l’utilisation et vous y opposer. Vous pouvez aussi introduire une réclamation auprès de votre autorité de protection des données.',
    contact: '## Contact\nÉcrivez à privacy@demo.example.',
    contactReworded:
      '## Contact\nNotre délégué à la protection des données répond à privacy@demo.example, ou par courrier : Demo Social Ltd., 1 Example Street, Dublin.',
  },
};

type Part = Exclude<keyof Sections, 'title'>;

/** The sections of each version, in order; index 0 is version 1. */
const versionParts: readonly (readonly Part[])[] = [
  ['intro', 'account', 'newsletter', 'rights', 'contact'],
  ['intro', 'account', 'newsletter', 'rights', 'contactReworded'],
  ['intro', 'account', 'newsletter', 'aiTraining', 'rights', 'contactReworded'],
  ['intro', 'account', 'newsletterPersonalised', 'aiTrainingWithPartner', 'rights', 'contactReworded'],
];

export const demoLocales: readonly Locale[] = ['en', 'de', 'fr'];

/** Version `number`'s translations, one per demo locale. */
export function demoTranslations(number: 1 | 2 | 3 | 4): { locale: string; title: string; body: string }[] {
  const parts = versionParts[number - 1]!;
  return demoLocales.map((locale) => ({
    locale,
    title: sections[locale].title,
    body: parts.map((part) => sections[locale][part]).join('\n\n'),
  }));
}
