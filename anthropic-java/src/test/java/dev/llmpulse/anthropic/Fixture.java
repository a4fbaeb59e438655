package dev.llmpulse.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;

/** A recorded cassette of ../fixtures (see fixtures/README.md), replayable with MockWebServer. */
final class Fixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixture() {}

  static Path root() {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path path = env != null ? Paths.get(env) : Paths.get("../fixtures");
    if (!Files.isDirectory(path)) path = Paths.get("fixtures");
    return path;
  }

  /** Interaction {@code index} of the cassette at {@code relativePath}. */
  static Interaction load(String relativePath, int index) {
    try {
      JsonNode root = JSON.readTree(root().resolve(relativePath).toFile());
      return new Interaction(root.get("interactions").get(index));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + relativePath, e);
    }
  }

  static final class Interaction {
    final String requestBody;
    final int status;
    final List<String[]> responseHeaders = new ArrayList<>();
    final byte[] responseBody;

    Interaction(JsonNode node) {
      JsonNode request = node.get("request");
      JsonNode response = node.get("response");
      requestBody = request.hasNonNull("body") ? request.get("body").asText() : null;
      status = response.get("status").asInt();
      for (Iterator<Map.Entry<String, JsonNode>> it = response.get("headers").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> header = it.next();
        String lower = header.getKey().toLowerCase(Locale.ROOT);
        if (lower.equals("content-length") || lower.equals("transfer-encoding")) continue;
        for (JsonNode value : header.getValue()) {
          responseHeaders.add(new String[] {header.getKey(), value.asText()});
        }
      }
      if (response.hasNonNull("bodyBase64")) {
        responseBody = Base64.getDecoder().decode(response.get("bodyBase64").asText());
      } else if (response.hasNonNull("body")) {
        responseBody = response.get("body").asText().getBytes(StandardCharsets.UTF_8);
      } else {
        responseBody = new byte[0];
      }
    }

    /** The response as recorded, headers and body bytes unchanged. */
    MockResponse mockResponse() {
      return mockResponse(responseBody);
    }

    /** The recorded status and headers with another body (a cut or broken answer). */
    MockResponse mockResponse(byte[] body) {
      MockResponse mock = new MockResponse().setResponseCode(status);
      for (String[] header : responseHeaders) mock.addHeader(header[0], header[1]);
      return mock.setBody(new Buffer().write(body));
    }

    String bodyText() {
      return new String(responseBody, StandardCharsets.UTF_8);
    }
  }
}
