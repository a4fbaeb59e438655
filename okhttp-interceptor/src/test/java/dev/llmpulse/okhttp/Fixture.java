package dev.llmpulse.okhttp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;

/** A recorded cassette of ../fixtures (see fixtures/README.md), replayable with MockWebServer. */
final class Fixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Resolves every host to loopback, so requests keep the recorded host (and its provider). */
  static final Dns LOOPBACK = hostname -> Collections.singletonList(InetAddress.getLoopbackAddress());

  final String name;
  final List<Interaction> interactions;

  private Fixture(String name, List<Interaction> interactions) {
    this.name = name;
    this.interactions = interactions;
  }

  static Path root() {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path path = env != null ? Paths.get(env) : Paths.get("../fixtures");
    if (!Files.isDirectory(path)) path = Paths.get("fixtures");
    return path;
  }

  static Fixture load(String relativePath) {
    try {
      JsonNode root = JSON.readTree(root().resolve(relativePath).toFile());
      List<Interaction> list = new ArrayList<>();
      for (JsonNode node : root.get("interactions")) list.add(new Interaction(node));
      return new Fixture(relativePath, list);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + relativePath, e);
    }
  }

  Interaction first() {
    return interactions.get(0);
  }

  static final class Interaction {
    final String method;
    final HttpUrl recordedUrl;
    final String requestBody;
    final int status;
    final List<String[]> responseHeaders = new ArrayList<>();
    final byte[] responseBody;

    Interaction(JsonNode node) {
      JsonNode request = node.get("request");
      JsonNode response = node.get("response");
      method = request.get("method").asText().toUpperCase(java.util.Locale.ROOT);
      recordedUrl = HttpUrl.get(request.get("uri").asText());
      requestBody = request.hasNonNull("body") ? request.get("body").asText() : null;
      status = response.get("status").asInt();
      for (Iterator<Map.Entry<String, JsonNode>> it = response.get("headers").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> header = it.next();
        String lower = header.getKey().toLowerCase(java.util.Locale.ROOT);
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

    /** The response as recorded, headers and body bytes unchanged (gzip stays gzip). */
    MockResponse mockResponse() {
      return mockResponse(responseBody);
    }

    /** The recorded response headers with another body (a cut or corrupted recording). */
    MockResponse mockResponse(byte[] body) {
      MockResponse mock = new MockResponse().setResponseCode(status);
      for (String[] header : responseHeaders) mock.addHeader(header[0], header[1]);
      return mock.setBody(new Buffer().write(body));
    }

    /** The recorded request, sent to {@code server} under the recorded host name. */
    Request request(MockWebServer server) {
      return request(server, recordedUrl, requestBody);
    }

    /**
     * The recorded request sent elsewhere: to {@code url} (its host kept, its port {@code
     * server}'s), with {@code body} (the recorded one, or as another API would have it).
     */
    Request request(MockWebServer server, HttpUrl url, String body) {
      HttpUrl target = url.newBuilder().scheme("http").port(server.getPort()).build();
      Request.Builder builder = new Request.Builder().url(target);
      if (body != null) {
        builder.method(method, RequestBody.create(body, MediaType.get("application/json")));
      } else {
        builder.method(method, "POST".equals(method)
            ? RequestBody.create("", MediaType.get("application/json")) : null);
      }
      return builder.build();
    }

    /** The body the application should read: the recorded one, decompressed when gzipped. */
    byte[] decodedBody() throws IOException {
      for (String[] header : responseHeaders) {
        if (header[0].equalsIgnoreCase("Content-Encoding") && header[1].equalsIgnoreCase("gzip")) {
          try (java.util.zip.GZIPInputStream in =
              new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(responseBody))) {
            return in.readAllBytes();
          }
        }
      }
      return responseBody;
    }
  }
}
