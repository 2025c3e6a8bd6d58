// What a command has opened (servers, workers, stores), closed once and in reverse order: on a clean stop and when
// a later start-up step fails, so nothing keeps the process alive after it said it failed.
export class Opened {
  private readonly closers: (() => Promise<unknown>)[] = [];
  private closing: Promise<void> | undefined;

  add(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  /** Closes everything, last opened first; every closer runs even if one fails, then the first failure is thrown. */
  closeAll(): Promise<void> {
    return (this.closing ??= (async () => {
      let failure: unknown;
      for (const close of this.closers.reverse()) {
        try {
          await close();
        } catch (e) {
          failure ??= e;
        }
      }
      if (failure !== undefined) throw failure;
    })());
  }
}
