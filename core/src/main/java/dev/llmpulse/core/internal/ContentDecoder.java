package dev.llmpulse.core.internal;

import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a {@code gzip} or {@code deflate} response body for the scanner, piece by piece as the
 * application reads the encoded bytes, in constant memory: one 8 KiB output buffer and the
 * inflater's window. The application keeps reading the original bytes; only the scanner sees the
 * decoded ones. The gzip header is parsed incrementally (extra field, name, comment, header CRC),
 * concatenated members are decoded one after another, bytes after the last member are ignored.
 *
 * <p>Used from one thread at a time; {@link #end()} releases the inflater.
 */
final class ContentDecoder {
  /** What a {@code Content-Encoding} header asks of the scanner. */
  enum Encoding {
    /** No encoding (or {@code identity}): the bytes are the answer. */
    IDENTITY,
    GZIP,
    DEFLATE,
    /** An encoding LLM Pulse does not decode ({@code br}, {@code zstd}, several at once…). */
    UNSUPPORTED;

    static Encoding of(String contentEncoding) {
      if (contentEncoding == null) return IDENTITY;
      String e = contentEncoding.trim().toLowerCase(Locale.ROOT);
      switch (e) {
        case "":
        case "identity":
          return IDENTITY;
        case "gzip":
        case "x-gzip":
          return GZIP;
        case "deflate":
          return DEFLATE;
        default:
          return UNSUPPORTED;
      }
    }
  }

  private static final int OUTPUT_BYTES = 8 * 1024;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private enum State { GZIP_HEADER, GZIP_EXTRA_LENGTH, GZIP_EXTRA, GZIP_NAME, GZIP_COMMENT,
    GZIP_HEADER_CRC, DEFLATE_FIRST_BYTE, INFLATE, GZIP_TRAILER, DONE, FAILED }

  private final boolean gzip;
  private final byte[] out = new byte[OUTPUT_BYTES];
  private Inflater inflater;
  private State state;
  private int headerBytes; // bytes of the fixed 10-byte gzip header seen
  private int flags;
  private int remaining; // of the extra field, its length, the header CRC or the trailer
  private int extraLength;

  ContentDecoder(Encoding encoding) {
    if (encoding != Encoding.GZIP && encoding != Encoding.DEFLATE) {
      throw new IllegalArgumentException("not decodable: " + encoding);
    }
    this.gzip = encoding == Encoding.GZIP;
    this.state = gzip ? State.GZIP_HEADER : State.DEFLATE_FIRST_BYTE;
  }

  /** Receives decoded bytes. */
  interface Sink {
    void decoded(byte[] data, int offset, int length);
  }

  /** True when the encoded bytes were not valid gzip or deflate: nothing more is decoded. */
  boolean failed() {
    return state == State.FAILED;
  }

  /** Decodes the next encoded bytes into {@code sink}. Never throws on bad input. */
  void feed(byte[] data, int offset, int length, Sink sink) {
    int i = offset;
    int end = offset + length;
    while (i < end && state != State.DONE && state != State.FAILED) {
      switch (state) {
        case GZIP_HEADER:
          i = header(data, i);
          break;
        case GZIP_EXTRA_LENGTH:
          extraLength |= (data[i++] & 0xff) << (8 * (2 - remaining));
          if (--remaining == 0) {
            remaining = extraLength;
            state = remaining == 0 ? afterExtra() : State.GZIP_EXTRA;
          }
          break;
        case GZIP_EXTRA: {
          int skip = Math.min(remaining, end - i);
          i += skip;
          remaining -= skip;
          if (remaining == 0) state = afterExtra();
          break;
        }
        case GZIP_NAME:
          if (data[i++] == 0) state = afterName();
          break;
        case GZIP_COMMENT:
          if (data[i++] == 0) state = afterComment();
          break;
        case GZIP_HEADER_CRC:
          i++;
          if (--remaining == 0) startInflating(true);
          break;
        case DEFLATE_FIRST_BYTE:
          // HTTP's deflate is zlib (RFC 1950), but some servers send raw deflate: a zlib stream
          // starts with compression method 8 and a header checksum that divides by 31.
          startInflating(!looksLikeZlib(data, i, end));
          break;
        case INFLATE:
          i = inflate(data, i, end, sink);
          break;
        case GZIP_TRAILER: {
          int skip = Math.min(remaining, end - i);
          i += skip;
          remaining -= skip;
          if (remaining == 0) { // a next member may follow
            state = State.GZIP_HEADER;
            headerBytes = 0;
          }
          break;
        }
        default:
          return;
      }
    }
  }

  private int header(byte[] data, int i) {
    int b = data[i] & 0xff;
    switch (headerBytes) {
      case 0:
        if (b != 0x1f) {
          // After a complete member, anything that is not a new member is trailing garbage.
          state = inflater == null ? State.FAILED : State.DONE;
          return i + 1;
        }
        break;
      case 1:
        if (b != 0x8b) state = State.FAILED;
        break;
      case 2:
        if (b != 8) state = State.FAILED;
        break;
      case 3:
        flags = b;
        break;
      default:
    }
    headerBytes++;
    if (headerBytes == 10 && state == State.GZIP_HEADER) {
      if ((flags & FEXTRA) != 0) {
        state = State.GZIP_EXTRA_LENGTH;
        remaining = 2;
        extraLength = 0;
      } else {
        state = afterExtra();
      }
    }
    return i + 1;
  }

  private State afterExtra() {
    return (flags & FNAME) != 0 ? State.GZIP_NAME : afterName();
  }

  private State afterName() {
    return (flags & FCOMMENT) != 0 ? State.GZIP_COMMENT : afterComment();
  }

  private State afterComment() {
    if ((flags & FHCRC) != 0) {
      remaining = 2;
      return State.GZIP_HEADER_CRC;
    }
    startInflating(true);
    return State.INFLATE;
  }

  private void startInflating(boolean raw) {
    if (inflater == null) {
      inflater = new Inflater(raw);
    } else {
      inflater.reset(); // the next gzip member
    }
    state = State.INFLATE;
  }

  private static boolean looksLikeZlib(byte[] data, int i, int end) {
    int cmf = data[i] & 0xff;
    if ((cmf & 0x0f) != 8) return false;
    if (i + 1 >= end) return true; // cannot check the second byte yet: trust the method
    int flg = data[i + 1] & 0xff;
    return ((cmf << 8) | flg) % 31 == 0;
  }

  private int inflate(byte[] data, int i, int end, Sink sink) {
    inflater.setInput(data, i, end - i);
    try {
      while (true) {
        int n = inflater.inflate(out, 0, out.length);
        if (n > 0) sink.decoded(out, 0, n);
        if (inflater.finished()) {
          int left = inflater.getRemaining();
          if (gzip) {
            state = State.GZIP_TRAILER;
            remaining = 8;
          } else {
            state = State.DONE;
          }
          return end - left;
        }
        if (n == 0) {
          if (inflater.needsDictionary()) {
            state = State.FAILED;
          }
          return end; // needs more input: all of this piece was taken
        }
      }
    } catch (DataFormatException e) {
      state = State.FAILED;
      return end;
    }
  }

  /** Releases the inflater's native memory; further feeds are ignored. */
  void end() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
    if (state != State.FAILED) state = State.DONE;
  }
}
