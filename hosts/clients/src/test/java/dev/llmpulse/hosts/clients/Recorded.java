package dev.llmpulse.hosts.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;

/**
 * One interaction of a recorded cassette in ../fixtures (see fixtures/README.md): the answer the
 * real API gave, served back by MockWebServer with its headers and body bytes unchanged.
 */
final class Recorded {
  private final JsonNode request;
  private final JsonNode response;

  private Recorded(JsonNode interaction) {
    this.request = interaction.get("request");
    this.response = interaction.get("response");
  }

  static Recorded load(String relativePath) {
    return load(relativePath, 0);
  }

  static Recorded load(String relativePath, int index) {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path root = env != null ? Paths.get(env) : Paths.get("../../fixtures");
    try {
      JsonNode cassette = new ObjectMapper().readTree(root.resolve(relativePath).toFile());
      return new Recorded(cassette.get("interactions").get(index));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + relativePath, e);
    }
  }

  /** The recorded answer; a MockResponse is served once, so each call makes a new one. */
  MockResponse answer() {
    MockResponse mock = new MockResponse().setResponseCode(response.get("status").asInt());
    for (Iterator<Map.Entry<String, JsonNode>> it = response.get("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("content-length") || name.equals("transfer-encoding")) continue;
      for (JsonNode value : header.getValue()) mock.addHeader(header.getKey(), value.asText());
    }
    byte[] body = response.hasNonNull("bodyBase64")
        ? Base64.getDecoder().decode(response.get("bodyBase64").asText())
        : response.get("body").asText().getBytes(StandardCharsets.UTF_8);
    return mock.setBody(new Buffer().write(body));
  }

  /** The recorded request's JSON body. */
  JsonNode requestJson() {
    try {
      return new ObjectMapper().readTree(request.get("body").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String uri() {
    return request.get("uri").asText();
  }
}
