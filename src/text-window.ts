// The recent part of an answer's text, for citations that point into it: at most `size` characters
// (whole pieces), and nothing at all between reads until something cites (most answers never do,
// and a stream must not hold its text while it waits for more).

export class TextWindow {
  #pieces: string[] = [];
  #length = 0;
  /** Where the window's text starts in the whole answer (UTF-16 code units). */
  start = 0;

  readonly #size: number;
  #keep: boolean;

  /** `keep`: from the start, as for a whole answer built in memory anyway. */
  constructor(size: number, keep = false) {
    this.#size = size;
    this.#keep = keep;
  }

  append(piece: string): void {
    if (!this.#keep) this.#forget();
    this.#pieces.push(piece);
    this.#length += piece.length;
    // Whole pieces fall out once the rest still covers the window.
    while (this.#pieces.length > 1 && this.#length - this.#pieces[0]!.length >= this.#size) {
      const cut = this.#pieces.shift()!.length;
      this.#length -= cut;
      this.start += cut;
    }
  }

  /** The window's text; from now on it is kept across reads. */
  text(): string {
    this.#keep = true;
    if (this.#pieces.length > 1) this.#pieces = [this.#pieces.join("")];
    return this.#pieces[0] ?? "";
  }

  /** Citations are to be expected (a knowledge base was consulted): the text is kept from now on. */
  hold(): void {
    this.#keep = true;
  }

  /** A read is over: nothing is kept of it unless something cited. */
  settle(): void {
    if (!this.#keep) this.#forget();
  }

  #forget(): void {
    this.start += this.#length;
    this.#pieces = [];
    this.#length = 0;
  }
}
