import type { Locale } from '../i18n/index.ts';
import { kt } from './kiosk-texts.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/**
 * Digits for a kiosk with no keyboard: writes into whichever field the customer touched last.
 * Every key is a finger-sized button.
 */
export function NumericKeypad({
  locale,
  disabled,
  onDigit,
  onDelete,
}: {
  locale: Locale;
  disabled: boolean;
  onDigit: (digit: string) => void;
  onDelete: () => void;
}) {
  return (
    <div className="kiosk-keypad" role="group" aria-label={kt(locale, 'keypad.label')}>
      {KEYS.map((key) => (
        <button key={key} type="button" disabled={disabled} onClick={() => onDigit(key)}>
          {key}
        </button>
      ))}
      <span />
      <button type="button" disabled={disabled} onClick={() => onDigit('0')}>
        0
      </button>
      <button type="button" disabled={disabled} onClick={onDelete} aria-label={kt(locale, 'keypad.delete')}>
        ⌫
      </button>
    </div>
  );
}
