package dev.llmpulse.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;

/**
 * The recorded answers of a cassette of ../fixtures (see fixtures/README.md), replayable with
 * MockWebServer. The requests are LangChain4j's own; only the answers are replayed.
 */
final class Fixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixture() {}

  static Path root() {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path path = env != null ? Paths.get(env) : Paths.get("../fixtures");
    if (!Files.isDirectory(path)) path = Paths.get("fixtures");
    return path;
  }

  /** Interaction {@code index} of cassette {@code relativePath}. */
  static Answer answer(String relativePath, int index) {
    try {
      JsonNode root = JSON.readTree(root().resolve(relativePath).toFile());
      return new Answer(root.get("interactions").get(index).get("response"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + relativePath, e);
    }
  }

  static final class Answer {
    final int status;
    final List<String[]> headers = new ArrayList<>();
    final byte[] body;

    Answer(JsonNode response) {
      status = response.get("status").asInt();
      for (Iterator<Map.Entry<String, JsonNode>> it = response.get("headers").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> header = it.next();
        String lower = header.getKey().toLowerCase(Locale.ROOT);
        if (lower.equals("content-length") || lower.equals("transfer-encoding")) continue;
        for (JsonNode value : header.getValue()) headers.add(new String[] {header.getKey(), value.asText()});
      }
      if (response.hasNonNull("bodyBase64")) {
        body = Base64.getDecoder().decode(response.get("bodyBase64").asText());
      } else if (response.hasNonNull("body")) {
        body = response.get("body").asText().getBytes(StandardCharsets.UTF_8);
      } else {
        body = new byte[0];
      }
    }

    /** The answer as recorded: status, headers and body bytes unchanged. */
    MockResponse mock() {
      return mock(body);
    }

    /** The answer with only its first {@code length} body bytes, ending cleanly there. */
    MockResponse cutAfter(int length) {
      return mock(Arrays.copyOf(body, length));
    }

    private MockResponse mock(byte[] bytes) {
      MockResponse mock = new MockResponse().setResponseCode(status);
      for (String[] header : headers) mock.addHeader(header[0], header[1]);
      return mock.setBody(new Buffer().write(bytes));
    }

    /** The offset of the first occurrence of {@code text} in the body. */
    int indexOf(String text) {
      int at = new String(body, StandardCharsets.UTF_8).indexOf(text);
      if (at < 0) throw new AssertionError(text + " not in the recorded body");
      return new String(body, StandardCharsets.UTF_8).substring(0, at)
          .getBytes(StandardCharsets.UTF_8).length;
    }
  }
}
