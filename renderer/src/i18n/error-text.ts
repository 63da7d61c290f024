/** Codes become words in the catalogue (shared/i18n/error-text.ts): one place for screens, paper and CLI. */
export { errorText, validationIssueText, validationText } from '../../../shared/i18n/error-text.ts';
