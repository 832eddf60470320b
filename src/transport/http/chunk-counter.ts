/**
 * Counting the non-empty chunks of a chunked request body from node:http's `data` events.
 *
 * Node 20's parser (llhttp) emits one `data` event per run of body bytes inside one socket read: every new HTTP
 * chunk starts a new event, but a chunk that a read boundary splits gives one more event, and Node exposes neither
 * the chunk framing nor the raw bytes. So events over-count chunks by up to one per socket read. The socket's
 * bytesRead changes once per read and is the same for every event of that read, which marks where a read's events
 * begin: within a read every event after the first is certainly a new chunk; only a read's first event may continue
 * the previous chunk. The count kept here is that lower bound (1 + events - reads): it never refuses a body of at
 * most 65,536 chunks however the bytes were split, and counts a flood of small chunks almost exactly, since many of
 * them share each read. (Events the stream buffered before the body was asked for are emitted together and read as
 * one read; that can over-count by the few reads buffered, at most the stream's 16 KiB high-water mark of data.) A
 * sender that puts each chunk in its own read is counted low, but gains nothing by it: the body is copied into one
 * buffer, so memory follows the byte count, which --http-max-input-size bounds.
 */

/** Triton's cap: 1 << 16 non-empty chunks per request. */
export const MAX_CHUNKS = 65536;

export class ChunkCounter {
  private events = 0;
  private reads = 0;
  private lastBytesRead = -1;

  /**
   * Records one `data` event of `length` bytes, given the socket's bytesRead at that moment (it changes once per
   * read); returns the chunk count so far (a lower bound, see above).
   */
  add(length: number, bytesRead: number): number {
    if (length === 0) return this.count();
    this.events++;
    if (bytesRead !== this.lastBytesRead) {
      this.lastBytesRead = bytesRead;
      this.reads++;
    }
    return this.count();
  }

  private count(): number {
    return this.events === 0 ? 0 : 1 + this.events - this.reads;
  }
}
