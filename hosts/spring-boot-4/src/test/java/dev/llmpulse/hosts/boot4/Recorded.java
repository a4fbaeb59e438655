package dev.llmpulse.hosts.boot4;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;

/**
 * The first exchange of a recorded cassette in ../fixtures (see fixtures/README.md), replayed with
 * MockWebServer. Read with jackson-core's streaming parser only, so the test adds no Jackson
 * module the host does not already have.
 */
final class Recorded {
  /** Resolves every host to loopback, so a request keeps its recorded host (and provider). */
  static final Dns LOOPBACK =
      hostname -> Collections.singletonList(InetAddress.getLoopbackAddress());

  private final String method;
  private final HttpUrl url;
  private final String requestBody;
  private final int status;
  private final List<String[]> headers = new ArrayList<>();
  final byte[] body;

  @SuppressWarnings("unchecked")
  private Recorded(Map<String, Object> exchange) {
    Map<String, Object> request = (Map<String, Object>) exchange.get("request");
    Map<String, Object> response = (Map<String, Object>) exchange.get("response");
    method = ((String) request.get("method")).toUpperCase(Locale.ROOT);
    url = HttpUrl.get((String) request.get("uri"));
    requestBody = (String) request.get("body");
    status = ((Number) response.get("status")).intValue();
    Map<String, Object> recordedHeaders = (Map<String, Object>) response.get("headers");
    for (Map.Entry<String, Object> header : recordedHeaders.entrySet()) {
      String lower = header.getKey().toLowerCase(Locale.ROOT);
      if (lower.equals("content-length") || lower.equals("transfer-encoding")) continue;
      for (Object value : (List<Object>) header.getValue()) {
        headers.add(new String[] {header.getKey(), (String) value});
      }
    }
    if (response.get("bodyBase64") != null) {
      body = Base64.getDecoder().decode((String) response.get("bodyBase64"));
    } else if (response.get("body") != null) {
      body = ((String) response.get("body")).getBytes(StandardCharsets.UTF_8);
    } else {
      body = new byte[0];
    }
  }

  @SuppressWarnings("unchecked")
  static Recorded load(String relativePath) {
    String env = System.getenv("LLMPULSE_FIXTURES");
    Path root = env != null ? Paths.get(env) : Paths.get("../../fixtures");
    try (JsonParser parser = new JsonFactory().createParser(root.resolve(relativePath).toFile())) {
      parser.nextToken();
      Map<String, Object> cassette = (Map<String, Object>) read(parser);
      List<Object> interactions = (List<Object>) cassette.get("interactions");
      return new Recorded((Map<String, Object>) interactions.get(0));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read fixture " + relativePath, e);
    }
  }

  /** The response as recorded: status, headers and body bytes. */
  MockResponse response() {
    MockResponse mock = new MockResponse().setResponseCode(status);
    for (String[] header : headers) mock.addHeader(header[0], header[1]);
    return mock.setBody(new Buffer().write(body));
  }

  /** The recorded request, sent to {@code server} under the recorded host name. */
  Request request(MockWebServer server) {
    HttpUrl local = url.newBuilder().scheme("http").port(server.getPort()).build();
    RequestBody content = requestBody == null ? null
        : RequestBody.create(requestBody, MediaType.get("application/json"));
    return new Request.Builder().url(local).method(method, content).build();
  }

  private static Object read(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.put(name, read(parser));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) array.add(read(parser));
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return parser.getNumberValue();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return parser.getBooleanValue();
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + token);
    }
  }
}
