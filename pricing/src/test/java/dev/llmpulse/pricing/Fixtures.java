package dev.llmpulse.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/** Reads the recorded cassettes in {@code fixtures/} (see fixtures/README.md). */
final class Fixtures {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Fixtures() {}

  static Path dir() {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path p = env != null && !env.isEmpty() ? Paths.get(env) : Paths.get("..", "fixtures");
    if (!Files.isDirectory(p)) throw new IllegalStateException("fixtures not found at " + p);
    return p;
  }

  static Path path(String relative) {
    return dir().resolve(relative);
  }

  static InputStream open(String relative) throws IOException {
    return Files.newInputStream(path(relative));
  }

  static PriceTable litellm() {
    try (InputStream in = open("pricing/litellm_model_prices_2026-07-24.json")) {
      return PriceTable.fromLiteLlm(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The decoded response body of interaction {@code index} (gzip undone), as a JSON tree. */
  static JsonNode responseJson(String relative, int index) throws IOException {
    JsonNode cassette = MAPPER.readTree(path(relative).toFile());
    JsonNode response = cassette.get("interactions").get(index).get("response");
    String body;
    if (response.has("bodyBase64")) {
      byte[] bytes = Base64.getDecoder().decode(response.get("bodyBase64").asText());
      if (bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    } else {
      body = response.get("body").asText();
    }
    return MAPPER.readTree(body);
  }

  /** The last non-null {@code usage} object of an SSE chat stream's {@code data:} chunks. */
  static JsonNode lastStreamedUsage(String relative) throws IOException {
    JsonNode cassette = MAPPER.readTree(path(relative).toFile());
    String body = cassette.get("interactions").get(0).get("response").get("body").asText();
    JsonNode last = null;
    for (String line : body.split("\\r?\\n")) {
      if (!line.startsWith("data:")) continue;
      String data = line.substring(5).trim();
      if (data.isEmpty() || data.equals("[DONE]")) continue;
      JsonNode usage = MAPPER.readTree(data).get("usage");
      if (usage != null && usage.isObject()) last = usage;
    }
    if (last == null) throw new IllegalStateException("no usage in " + relative);
    return last;
  }

  static InputStream json(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
