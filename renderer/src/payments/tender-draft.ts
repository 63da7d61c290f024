import { MIN_VES_PER_USD, parseAmount, usdToVes, type Currency } from '../../../shared/money.ts';
import {
  assertDeposit,
  assertFullPayment,
  assertInstalment,
  minimumDeposit,
  type Settlement,
  settle,
} from '../../../shared/payments.ts';
import { isTaquillaError } from '../../../shared/errors.ts';
import {
  type PaymentMethod,
  type Tender,
  type TenderInput,
  tender,
} from '../../../shared/schemas/payments.ts';

/**
 * What the cashier is typing for one tender, as text. The rules (what a tender is worth, what is
 * still owed, the change) are shared/payments.ts's; this module only turns the typed text into
 * tenders and asks those rules, so the dialog shows exactly what the terminal will compute.
 */
export interface TenderDraft {
  key: number;
  method: PaymentMethod;
  amount: string;
  reference: string;
  phone: string;
  bankCode: string;
  email: string;
  /** Bank transfers only: most are in bolívares. */
  transferCurrency: Currency;
}

export function newDraft(key: number, method: PaymentMethod): TenderDraft {
  return {
    key,
    method,
    amount: '',
    reference: '',
    phone: '',
    bankCode: '',
    email: '',
    transferCurrency: 'VES',
  };
}

/** The currency the amount of a draft is typed in. */
export function draftCurrency(d: Pick<TenderDraft, 'method' | 'transferCurrency'>): Currency {
  switch (d.method) {
    case 'CASH_USD':
    case 'ZELLE':
      return 'USD';
    case 'TRANSFER':
      return d.transferCurrency;
    default:
      return 'VES';
  }
}

/** The fields each method asks for, beyond the amount. */
export function draftFields(method: PaymentMethod): ('reference' | 'phone' | 'bankCode' | 'email')[] {
  switch (method) {
    case 'PAGO_MOVIL':
      return ['reference', 'phone', 'bankCode'];
    case 'ZELLE':
      return ['reference', 'email'];
    case 'CARD':
      return ['reference'];
    case 'TRANSFER':
      return ['reference', 'bankCode'];
    default:
      return [];
  }
}

/** The API's tender for a draft, before validation (empty optional fields left out). */
export function draftInput(d: TenderDraft, amountCents: number): TenderInput {
  switch (d.method) {
    case 'CASH_USD':
    case 'CASH_VES':
      return { method: d.method, amountCents };
    case 'PAGO_MOVIL':
      return {
        method: 'PAGO_MOVIL',
        amountCents,
        reference: d.reference,
        phone: d.phone,
        bankCode: d.bankCode,
      };
    case 'ZELLE':
      return {
        method: 'ZELLE',
        amountCents,
        ...(d.reference.trim() ? { reference: d.reference } : {}),
        ...(d.email.trim() ? { email: d.email } : {}),
      };
    case 'CARD':
      return { method: 'CARD', amountCents, reference: d.reference };
    case 'TRANSFER':
      return {
        method: 'TRANSFER',
        amountCents,
        currency: d.transferCurrency,
        reference: d.reference,
        bankCode: d.bankCode,
      };
  }
}

export interface DraftCheck {
  draft: TenderDraft;
  amountCents: number | null;
  /**
   * The validated tender, or null with the problem: 'empty' (nothing typed yet), 'amount' (not an
   * amount) or 'schema' (the tender schema refused it: `issue` is its first issue, for the field-level
   * text in the cashier's language).
   */
  tender: Tender | null;
  problem: 'empty' | 'amount' | 'schema' | null;
  issue: { path: string; message: string } | null;
}

export function checkDraft(d: TenderDraft): DraftCheck {
  const amountCents = d.amount.trim() === '' ? null : parseAmount(d.amount);
  if (amountCents === null || amountCents === 0) {
    const problem = d.amount.trim() === '' ? 'empty' : 'amount';
    const issue = problem === 'amount' ? { path: 'amount', message: 'amount-format' } : null;
    return { draft: d, amountCents, tender: null, problem, issue };
  }
  const parsed = tender.safeParse(draftInput(d, amountCents));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const issue = { path: first?.path.map(String).join('.') ?? '', message: first?.message ?? 'invalid' };
    return { draft: d, amountCents, tender: null, problem: 'schema', issue };
  }
  return { draft: d, amountCents, tender: parsed.data, problem: null, issue: null };
}

/**
 * For the live totals a line counts as soon as its amount reads, even while its reference is still
 * being typed: the cashier sees the balance move with the amount.
 */
function previewTender(c: DraftCheck): Tender | null {
  if (c.tender) return c.tender;
  if (c.amountCents === null || c.amountCents === 0) return null;
  const d = c.draft;
  if (d.method === 'TRANSFER') {
    return {
      method: 'TRANSFER',
      amountCents: c.amountCents,
      currency: d.transferCurrency,
      reference: '0000',
      bankCode: '0000',
    };
  }
  if (d.method === 'CASH_USD' || d.method === 'CASH_VES')
    return { method: d.method, amountCents: c.amountCents };
  // Only method, amount and currency matter to the totals.
  return { method: d.method, amountCents: c.amountCents, reference: '0000' } as Tender;
}

export type Refusal = { code: string; details: unknown } | null;

export interface PaymentPreview {
  checks: DraftCheck[];
  settlement: Settlement;
  dueVesCents: number;
  /** Still owed after these tenders, USD and VES. */
  remainingCents: number;
  remainingVesCents: number;
  /** Every line is complete (amount and references valid). */
  linesValid: boolean;
  /** Why paying in full would be refused now (null: it would be accepted). */
  fullPayment: Refusal;
  /** Why a deposit would be refused now. */
  deposit: Refusal;
  /** Why a later payment on a reservation would be refused now. */
  instalment: Refusal;
  depositMinimumCents: number;
  tenders: Tender[];
}

function refusal(check: () => void): Refusal {
  try {
    check();
    return null;
  } catch (error) {
    if (isTaquillaError(error)) return { code: error.code, details: error.details };
    throw error;
  }
}

/** Everything the dialog shows, from the same rules the terminal applies when the money is taken. */
export function paymentPreview(
  dueCents: number,
  drafts: readonly TenderDraft[],
  vesPerUsd: string,
  depositMinimumBasisPoints: number,
  changeCurrency?: Currency,
): PaymentPreview {
  const checks = drafts.map(checkDraft);
  const previews = checks.map(previewTender).filter((t): t is Tender => t !== null);
  // Beyond the bounds (a typed amount no payment can be, an event rate out of range) nothing is
  // counted and every way of paying shows the terminal's own refusal.
  let bounds: Refusal = null;
  let settlement: Settlement;
  try {
    settlement = settle(dueCents, previews, vesPerUsd, changeCurrency);
  } catch (error) {
    if (!isTaquillaError(error)) throw error;
    bounds = { code: error.code, details: error.details };
    settlement = settle(dueCents, [], MIN_VES_PER_USD);
  }
  const tenders = checks.map((c) => c.tender).filter((t): t is Tender => t !== null);
  const linesValid = checks.every((c) => c.tender !== null || c.problem === 'empty') && tenders.length > 0;
  const incomplete = { code: 'INCOMPLETE', details: {} };
  return {
    checks,
    settlement,
    dueVesCents: usdToVes(dueCents, vesPerUsd),
    remainingCents: settlement.balanceCents,
    // What is left in bolívares, from the exact dollars still owed.
    remainingVesCents: usdToVes(settlement.balanceCents, vesPerUsd),
    linesValid,
    fullPayment:
      bounds ?? (linesValid || dueCents === 0 ? refusal(() => assertFullPayment(settlement)) : incomplete),
    deposit:
      bounds ??
      (linesValid ? refusal(() => assertDeposit(settlement, depositMinimumBasisPoints)) : incomplete),
    instalment: bounds ?? (linesValid ? refusal(() => assertInstalment(settlement)) : incomplete),
    depositMinimumCents: minimumDeposit(dueCents, depositMinimumBasisPoints),
    tenders,
  };
}

/** The amount this line must carry to settle what is left, in its currency (the "Resto" button). */
export function remainderAmount(preview: PaymentPreview, check: DraftCheck): string {
  const currency = draftCurrency(check.draft);
  const owed = currency === 'USD' ? preview.remainingCents : preview.remainingVesCents;
  const cents = owed + (check.amountCents ?? 0);
  return (cents / 100).toFixed(2);
}
