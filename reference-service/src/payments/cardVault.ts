// Tokenization at the edge: the HTTP layer turns a card into a token before anything else sees
// it, so no store, log, span or PSP request ever carries a PAN or CVC. The token is a keyed
// fingerprint, an HMAC of the PAN and expiry under MARKETBENCH_CARD_FINGERPRINT_SECRET: the same
// for the same card in every process (so an idempotent retry after a restart or on another
// instance fingerprints alike), useless without the secret.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { luhnValid } from '@marketbench/instrumentation';
import type { CardToken } from '../domain/model.ts';

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** Why a card was refused, with the field (JSON pointer below the card) it concerns. */
export interface CardProblem {
  field: 'number' | 'expMonth' | 'expYear' | 'cvc';
  message: string;
}

export function cardBrand(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  if (/^5[1-5]/.test(digits) || /^2[2-7]/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  return 'unknown';
}

export class CardVault {
  // A KeyObject made once: passing raw bytes to createHmac would rebuild one per card.
  readonly #secret: KeyObject;

  constructor(secret: string | Buffer) {
    this.#secret = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  }

  /** A token for the card, or the first problem with it. `now` decides expiry. */
  tokenize(card: CardInput, now: Date = new Date()): CardToken | CardProblem {
    const digits = card.number.replace(/[ -]/g, '');
    if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
      return { field: 'number', message: 'must be a valid card number' };
    }
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth() + 1;
    if (card.expYear < year || (card.expYear === year && card.expMonth < month)) {
      return { field: 'expYear', message: 'card has expired' };
    }
    const token = createHmac('sha256', this.#secret)
      .update(`${digits}|${card.expMonth}|${card.expYear}`)
      .digest('base64url')
      .slice(0, 24);
    return { token: `tok_${token}`, last4: digits.slice(-4), brand: cardBrand(digits) };
  }
}

export function isCardProblem(x: CardToken | CardProblem): x is CardProblem {
  return 'field' in x;
}
