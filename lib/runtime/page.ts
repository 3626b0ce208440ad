// A page of a list, and where the next one starts (an opaque cursor the adapter issued).
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
