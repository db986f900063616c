// `k6/data`: a SharedArray is its rows, built once.

export class SharedArray<T> extends Array<T> {
  constructor(_name: string, build: () => T[]) {
    super();
    this.push(...build());
  }
}
