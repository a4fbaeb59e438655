package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonTokenizer} against the parser it replaced: Jackson's non-blocking UTF-8 parser with
 * the limits LLM Pulse set on it (4 Mi chars per string, depth 512). For every input both must
 * end the same way (read, malformed while fed, cut off at the end, or over a limit) and, when
 * read, find the same tokens: the same names, the same strings (the first {@value
 * JsonTokenizer#TEXT_CAP} chars and whether there are more), the same integers and number kinds.
 * Jackson is fed each input whole; the tokenizer in random pieces, so the same test proves that
 * where an input is split never changes what is found. The inputs: every JSON document of every
 * recording (each body, each stream event, each NDJSON line, and each stream body as a whole),
 * cut at every offset, with bits flipped, bytes inserted and deleted, and a list of edge cases.
 *
 * <p>The reference is the jackson-core LLM Pulse was last built on (2.23): older ones differ on
 * a few malformed inputs (2.15 took {@code 0"a"} as two root values and {@code "\xC0\x80"} as
 * a string), which is why the tokenizer, not the application's Jackson, now decides.
 */
class JsonTokenizerParityTest {
  private static final long SEED = 20261129L;
  private static final JsonFactory JACKSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(JsonTokenizer.MAX_STRING_CHARS)
          .maxNestingDepth(JsonTokenizer.MAX_DEPTH)
          .build())
      .build();
  private static final byte[] INSERTS = bytes("\"\\{}[],: \t\n0-+.eEtfnNI/#'x\u00e9")
      .clone();
  private static final byte[] RAW_INSERTS = {0, 0x1f, 0x7f, (byte) 0x80, (byte) 0xbf, (byte) 0xc0,
      (byte) 0xc3, (byte) 0xe2, (byte) 0xed, (byte) 0xef, (byte) 0xf0, (byte) 0xf4, (byte) 0xf8,
      (byte) 0xff};

  /** How an input ended. */
  enum Outcome { READ, MALFORMED, CUT_OFF, LIMIT }

  static final class Result {
    final Outcome outcome;
    final List<String> tokens;

    Result(Outcome outcome, List<String> tokens) {
      this.outcome = outcome;
      this.tokens = tokens;
    }

    @Override
    public String toString() {
      return outcome + " " + tokens;
    }
  }

  @Test
  void everyRecordedDocumentCutAndMutatedIsReadAsJacksonReadsIt() {
    Random random = new Random(SEED);
    List<byte[]> documents = recordedDocuments();
    long inputs = 0;
    int[] outcomes = new int[Outcome.values().length];
    for (byte[] document : documents) {
      inputs += check(document, random, outcomes);
      int step = Math.max(1, document.length / 150);
      for (int cut = 0; cut < document.length; cut += step) {
        inputs += check(java.util.Arrays.copyOf(document, cut), random, outcomes);
      }
      for (int i = 0; i < 20; i++) {
        byte[] mutated = document.clone();
        if (mutated.length == 0) break;
        for (int flip = 1 + random.nextInt(3); flip > 0; flip--) {
          int at = random.nextInt(mutated.length);
          mutated[at] = (byte) (mutated[at] ^ (1 << random.nextInt(8)));
        }
        inputs += check(mutated, random, outcomes);
      }
      for (int i = 0; i < 20; i++) {
        int at = random.nextInt(document.length + 1);
        byte insert = random.nextBoolean() ? INSERTS[random.nextInt(INSERTS.length)]
            : RAW_INSERTS[random.nextInt(RAW_INSERTS.length)];
        byte[] mutated = new byte[document.length + 1];
        System.arraycopy(document, 0, mutated, 0, at);
        mutated[at] = insert;
        System.arraycopy(document, at, mutated, at + 1, document.length - at);
        inputs += check(mutated, random, outcomes);
        if (document.length > 0) {
          int gone = random.nextInt(document.length);
          byte[] shorter = new byte[document.length - 1];
          System.arraycopy(document, 0, shorter, 0, gone);
          System.arraycopy(document, gone + 1, shorter, gone, document.length - gone - 1);
          inputs += check(shorter, random, outcomes);
        }
      }
    }
    System.out.printf("tokenizer parity: %d inputs from %d recorded documents; outcomes %s%n",
        inputs, documents.size(), java.util.Arrays.toString(outcomes));
    assertThat(documents).hasSizeGreaterThan(1000);
    assertThat(outcomes[Outcome.READ.ordinal()]).isPositive();
    assertThat(outcomes[Outcome.MALFORMED.ordinal()]).isPositive();
    assertThat(outcomes[Outcome.CUT_OFF.ordinal()]).isPositive();
  }

  @Test
  void edgeCasesEndAsInJackson() {
    String[] cases = {
      "", " ", "{}", "[]", "{} {}", "{}{}", "1 2", "1", "-", "-0", "-01", "01", "0", "00", "0.",
      "0.5", "1.", "1.e5", "1e", "1e+", "1e+5", "1E-05", ".5", "+1", "+", "+I", "+Infinity",
      "-Infinity", "-I", "Infinity", "NaN", "Nan", "nul", "null", "nulx", "nullx", "null1",
      "true", "tru", "trux", "true,", "truex}", "[true1]", "[truex]", "[true]", "[tru]", "[t",
      "{\"a\":tr", "{\"a\":trXe}", "{\"a\":trXe", "{\"a\":true", "{\"a\":1", "{\"a\":1.",
      "{\"a\":1.}", "{\"a\":1e}", "{\"a\":0x}", "{\"a\":0]", "{\"a\":0}", "{\"a\":-}",
      "{\"a\":}", "{\"a\" : 1 }", "{\"a\":1,}", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\" 1}",
      "{a:1}", "{'a':1}", "['a']", "{\"a\":'b'}", "[}", "{]", "]", "}", "[", "{", "[[[]]]",
      "\"abc\"", "\"abc", "\"a\\qb\"", "\"a\\u00e9b\"", "\"a\\u00gz\"", "\"\\uD83D\\uDE00\"",
      "\"a\tb\"", "\"a\u007fb\"", "{\"\\u00e9\":1}", "{\"a\\nb\":1}", "{\"\\u0000\":1}",
      "0t", "0true", "12t", "12tru", "1true", "1\"a\"", "\"a\"\"b\"", "\"a\"1", "[]1", "1[]",
      "/", "//", "/* */ {}", "#", "{\"a\":1}/", "{\"a\":NaN}", "{\"a\":-Infinity}",
      "{\"a\":Infinity}", "{\"a\":+1}", "[1,-]", "[1e5,2.5E-3,-0.0]", "[9223372036854775807]",
      "[9223372036854775808]", "[-9223372036854775808]", "[-9223372036854775809]",
      "[2147483647, 2147483648, -2147483648, -2147483649]", "[123456789012345678901234567890]",
      "{\"a\":1}\n", "\n\n", "{\"a\":[1,{\"b\":null}],\"c\":false}", "[1]x", "[1]]", "[\"\\\"]",
    };
    List<byte[]> inputs = new ArrayList<>();
    for (String c : cases) inputs.add(bytes(c));
    byte[][] raw = {
      {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},
      {(byte) 0xef, (byte) 0xbb, '{', '}'},
      {' ', (byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},
      {(byte) 0xef},
      {'"', (byte) 0xc3, (byte) 0xa9, '"'},
      {'"', (byte) 0xc3, '"'},
      {'"', (byte) 0xc3},
      {'"', (byte) 0xe2, (byte) 0x82},
      {'"', (byte) 0xe2, (byte) 0x82, (byte) 0xac, '"'},
      {'"', (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80, '"'},
      {'"', (byte) 0xf8, '"'},
      {'"', (byte) 0x80, '"'},
      {'"', (byte) 0xc0, (byte) 0x80, '"'},
      {'{', '"', (byte) 0xc3, (byte) 0xa9, '"', ':', '1', '}'},
      {'{', '"', (byte) 0xc3, '"', ':', '1', '}'},
      {'{', '"', (byte) 0xff, '"', ':', '1', '}'},
      {'{', '"', (byte) 0xff},
      {'{', '"', 'a', (byte) 0xe2, (byte) 0x82, '"', ':', '1', '}'},
      {'t', 'r', (byte) 0xc3, (byte) 0xa9},
      {'t', 'r', 'u', 'e', (byte) 0xc3},
      {'[', 't', 'r', 'u', 'e', (byte) 0xc3, ']'},
      {'t', 'r', 'x', 0x7f, 0x01, ' '},
      {'n', 'u', (byte) 0xb5},
      {'"', 'a', 0x00, '"'},
      {'[', 0x0b, ']'},
    };
    for (byte[] r : raw) inputs.add(r);
    inputs.add(bytes("[" + "1,".repeat(50) + "1]"));
    inputs.add(bytes("\"" + "x".repeat(300) + "\""));
    inputs.add(bytes("\"" + "\u00e9".repeat(300) + "\""));
    inputs.add(bytes("\"" + "x".repeat(255) + "\\u00e9\""));
    inputs.add(bytes("\"" + "x".repeat(255) + "\u00e9" + "\""));
    inputs.add(bytes("\"" + "x".repeat(255) + "\uD83D\uDE00" + "\""));
    inputs.add(bytes("[" + "9".repeat(1000) + "]"));
    inputs.add(bytes("[" + "9".repeat(1001) + "]"));
    inputs.add(bytes("[1." + "5".repeat(1100) + "]"));
    inputs.add(bytes("[".repeat(512) + "]".repeat(512)));
    inputs.add(bytes("[".repeat(513) + "]".repeat(513)));
    inputs.add(bytes("truex" + "y".repeat(300)));
    inputs.add(bytes("truex" + "y".repeat(300) + "}"));
    inputs.add(bytes("NaNx" + "y".repeat(100)));
    Random random = new Random(SEED);
    int[] outcomes = new int[Outcome.values().length];
    for (byte[] input : inputs) {
      for (int round = 0; round < 20; round++) check(input, random, outcomes);
    }
    assertThat(outcomes).as("every outcome is exercised").doesNotContain(0);
  }

  @Test
  void randomBytesEndAsInJackson() {
    Random random = new Random(SEED);
    int[] outcomes = new int[Outcome.values().length];
    byte[] alphabet = bytes("{}[]\":,0123456789-+.eEtrufalsn \n\\u\u00e9xNI");
    for (int i = 0; i < 30_000; i++) {
      byte[] input = new byte[random.nextInt(24)];
      for (int k = 0; k < input.length; k++) {
        input[k] = random.nextInt(8) == 0 ? (byte) random.nextInt(256)
            : alphabet[random.nextInt(alphabet.length)];
      }
      check(input, random, outcomes);
    }
    assertThat(outcomes[Outcome.READ.ordinal()]).isPositive();
  }

  /** Checks one input: Jackson whole against the tokenizer in random pieces; returns 1. */
  private static int check(byte[] input, Random random, int[] outcomes) {
    Result expected = jackson(input);
    Result actual = tokenizer(input, random);
    outcomes[expected.outcome.ordinal()]++;
    String shown = new String(input, StandardCharsets.ISO_8859_1);
    if (shown.length() > 400) shown = shown.substring(0, 400) + "…";
    assertThat(actual.outcome).as("outcome of <%s>; Jackson: %s; tokenizer: %s", shown,
        expected, actual).isEqualTo(expected.outcome);
    if (expected.outcome == Outcome.READ) {
      assertThat(actual.tokens).as("tokens of <%s>", shown).isEqualTo(expected.tokens);
    } else {
      // Jackson may hold back a root keyword until the byte after it: one token apart at most.
      List<String> shorter = expected.tokens.size() <= actual.tokens.size() ? expected.tokens : actual.tokens;
      List<String> longer = shorter == expected.tokens ? actual.tokens : expected.tokens;
      assertThat(longer.size() - shorter.size()).as("tokens of <%s>: %s vs %s", shown,
          expected.tokens, actual.tokens).isLessThanOrEqualTo(1);
      assertThat(longer.subList(0, shorter.size())).as("tokens of <%s>", shown).isEqualTo(shorter);
    }
    return 1;
  }

  static Result jackson(byte[] input) {
    List<String> tokens = new ArrayList<>();
    JsonParser parser;
    try {
      parser = JACKSON.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    try {
      feeder.feedInput(input, 0, input.length);
      drain(parser, tokens);
    } catch (StreamConstraintsException e) {
      return new Result(Outcome.LIMIT, tokens);
    } catch (IOException e) {
      return new Result(Outcome.MALFORMED, tokens);
    }
    try {
      feeder.endOfInput();
      drain(parser, tokens);
    } catch (StreamConstraintsException e) {
      return new Result(Outcome.LIMIT, tokens);
    } catch (IOException e) {
      return new Result(Outcome.CUT_OFF, tokens);
    }
    return new Result(Outcome.READ, tokens);
  }

  private static void drain(JsonParser parser, List<String> tokens) throws IOException {
    JsonToken token;
    while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
      switch (token) {
        case START_OBJECT: tokens.add("{"); break;
        case END_OBJECT: tokens.add("}"); break;
        case START_ARRAY: tokens.add("["); break;
        case END_ARRAY: tokens.add("]"); break;
        case FIELD_NAME: tokens.add("name:" + parser.currentName()); break;
        case VALUE_STRING: {
          String text = parser.getText();
          tokens.add(text.length() > JsonTokenizer.TEXT_CAP ? "string:longer" : "string:" + text);
          break;
        }
        case VALUE_NUMBER_INT: {
          JsonParser.NumberType type = parser.getNumberType();
          tokens.add(type == JsonParser.NumberType.BIG_INTEGER ? "int:big"
              : "int:" + type + ":" + parser.getLongValue());
          break;
        }
        case VALUE_NUMBER_FLOAT: tokens.add("float"); break;
        case VALUE_TRUE: tokens.add("true"); break;
        case VALUE_FALSE: tokens.add("false"); break;
        case VALUE_NULL: tokens.add("null"); break;
        default: throw new AssertionError("token " + token);
      }
    }
  }

  static Result tokenizer(byte[] input, Random random) {
    List<String> tokens = new ArrayList<>();
    JsonTokenizer tokenizer = new JsonTokenizer(new JsonTokenizer.Handler() {
      @Override
      void startContainer(boolean isArray) {
        tokens.add(isArray ? "[" : "{");
      }

      @Override
      void endContainer(boolean isArray) {
        tokens.add(isArray ? "]" : "}");
      }

      @Override
      void fieldName(String name) {
        tokens.add("name:" + name);
      }

      @Override
      void scalar(JsonTokenizer v) {
        switch (v.valueType()) {
          case JsonTokenizer.STRING:
            tokens.add(v.textLength() > JsonTokenizer.TEXT_CAP ? "string:longer" : "string:" + v.text());
            break;
          case JsonTokenizer.INT:
            tokens.add(v.intKind() == JsonTokenizer.INT_BIG ? "int:big"
                : "int:" + (v.intKind() == JsonTokenizer.INT_32 ? "INT" : "LONG") + ":" + v.longValue());
            break;
          case JsonTokenizer.FLOAT: tokens.add("float"); break;
          case JsonTokenizer.TRUE: tokens.add("true"); break;
          case JsonTokenizer.FALSE: tokens.add("false"); break;
          case JsonTokenizer.NULL: tokens.add("null"); break;
          default: throw new AssertionError("type " + v.valueType());
        }
      }
    });
    try {
      int at = 0;
      while (at < input.length) {
        int piece = Math.min(input.length - at, random.nextInt(4) == 0 ? 1 + random.nextInt(3)
            : 1 + random.nextInt(200));
        tokenizer.feed(input, at, piece);
        at += piece;
      }
    } catch (JsonTokenizer.LimitExceeded e) {
      return new Result(Outcome.LIMIT, tokens);
    } catch (IOException e) {
      return new Result(Outcome.MALFORMED, tokens);
    }
    try {
      tokenizer.endOfInput();
    } catch (JsonTokenizer.LimitExceeded e) {
      return new Result(Outcome.LIMIT, tokens);
    } catch (IOException e) {
      return new Result(Outcome.CUT_OFF, tokens);
    }
    return new Result(Outcome.READ, tokens);
  }

  /** Each body of every recording, and each event's data and each line of its streams. */
  static List<byte[]> recordedDocuments() {
    Set<String> seen = new LinkedHashSet<>();
    List<byte[]> documents = new ArrayList<>();
    for (Recording recording : Recording.all()) {
      byte[] body = recording.body;
      if (seen.add(new String(body, StandardCharsets.ISO_8859_1))) documents.add(body);
      String text = new String(body, StandardCharsets.UTF_8);
      for (String line : text.split("\r?\n")) {
        String document = line.startsWith("data:") ? line.substring(5).trim() : line.trim();
        if (document.isEmpty() || document.equals("[DONE]") || line.startsWith("event:")
            || line.startsWith(":") || line.startsWith("id:")) {
          continue;
        }
        if (seen.add(document)) documents.add(bytes(document));
      }
    }
    return documents;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
