// A consecutive-failure circuit breaker: after `failureThreshold` failures in a row it opens and
// refuses calls for `openMs`; then it lets `halfOpenMaxCalls` trial calls through, closing on a
// success and re-opening on a failure. Time comes from an injected clock so tests are exact.

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a trial call, ms. */
  openMs: number;
  /** Trial calls allowed at once while half-open. */
  halfOpenMaxCalls: number;
}

export class CircuitBreaker {
  readonly #opts: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #onTransition: (from: CircuitState, to: CircuitState) => void;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trials = 0;

  constructor(
    opts: CircuitBreakerOptions,
    onTransition: (from: CircuitState, to: CircuitState) => void = () => {},
    now: () => number = Date.now,
  ) {
    this.#opts = opts;
    this.#onTransition = onTransition;
    this.#now = now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** True when a call may go out now; counts it as a trial when half-open. */
  tryAcquire(): boolean {
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#opts.openMs) return false;
      this.#move('half_open');
      this.#trials = 0;
    }
    if (this.#state === 'half_open') {
      if (this.#trials >= this.#opts.halfOpenMaxCalls) return false;
      this.#trials++;
    }
    return true;
  }

  onSuccess(): void {
    this.#failures = 0;
    if (this.#state === 'half_open') this.#move('closed');
  }

  onFailure(): void {
    if (this.#state === 'half_open') {
      this.#open();
      return;
    }
    this.#failures++;
    if (this.#state === 'closed' && this.#failures >= this.#opts.failureThreshold) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#move('open');
  }

  #move(to: CircuitState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#onTransition(from, to);
  }
}
