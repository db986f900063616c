// A virtual user: an id, its iteration count, and a cheap way to interrupt whatever it is
// waiting on (a request or a think time) without an AbortSignal listener per request.

/** Something a VU can be interrupted out of. */
export interface Cancellable {
  /** True once the VU was interrupted. */
  readonly aborted: boolean;
  /** Registers (or, with undefined, clears) what interrupting the VU must cancel. */
  onCancel(cancel: (() => void) | undefined): void;
}

export class Vu implements Cancellable {
  readonly id: number;
  iterations = 0;
  aborted = false;
  private cancel: (() => void) | undefined;

  constructor(id: number) {
    this.id = id;
  }

  onCancel(cancel: (() => void) | undefined): void {
    this.cancel = cancel;
  }

  /** Interrupts the VU: its request fails and its think time ends now. */
  abort(): void {
    this.aborted = true;
    const cancel = this.cancel;
    this.cancel = undefined;
    cancel?.();
  }

  /** Think time that ends early when the VU is interrupted. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.cancel = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancel = done;
    });
  }
}
