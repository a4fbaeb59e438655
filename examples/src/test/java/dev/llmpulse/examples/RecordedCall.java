package dev.llmpulse.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;

/**
 * The first interaction of a recorded cassette in ../fixtures (see fixtures/README.md), served
 * back as recorded by MockWebServer. A minimal copy of okhttp-interceptor's test Fixture.
 */
final class RecordedCall {
  /** Resolves every host to loopback, so a call keeps its recorded host (and provider). */
  static final Dns LOOPBACK =
      hostname -> Collections.singletonList(InetAddress.getLoopbackAddress());

  final HttpUrl url;
  final String requestBody;
  private final MockResponse response;

  private RecordedCall(HttpUrl url, String requestBody, MockResponse response) {
    this.url = url;
    this.requestBody = requestBody;
    this.response = response;
  }

  static RecordedCall load(String relativePath) throws IOException {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path root = env != null ? Paths.get(env) : Paths.get("../fixtures");
    if (!Files.isDirectory(root)) root = Paths.get("fixtures");
    JsonNode interaction = new ObjectMapper().readTree(root.resolve(relativePath).toFile())
        .get("interactions").get(0);
    JsonNode request = interaction.get("request");
    JsonNode recorded = interaction.get("response");
    MockResponse response = new MockResponse().setResponseCode(recorded.get("status").asInt());
    for (Iterator<Map.Entry<String, JsonNode>> it = recorded.get("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("content-length") || name.equals("transfer-encoding")) continue;
      for (JsonNode value : header.getValue()) response.addHeader(header.getKey(), value.asText());
    }
    byte[] body = recorded.hasNonNull("bodyBase64")
        ? Base64.getDecoder().decode(recorded.get("bodyBase64").asText())
        : recorded.get("body").asText().getBytes(StandardCharsets.UTF_8);
    response.setBody(new Buffer().write(body));
    return new RecordedCall(HttpUrl.get(request.get("uri").asText()),
        request.get("body").asText(), response);
  }

  /** The recorded answer, headers and body bytes as they came. */
  MockResponse response() {
    return response;
  }

  /** The recorded URL on {@code port} over plain HTTP (the host stays the recorded one). */
  HttpUrl urlOn(int port) {
    return url.newBuilder().scheme("http").port(port).build();
  }
}
