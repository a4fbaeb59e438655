package dev.llmpulse.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * A recorded stream (a fixture of {@code fixtures/}, packed into the jar) lengthened to at least
 * {@code minEvents} events: its leading events (up to the first content event) once, its
 * content events repeated in their recorded order, its trailing events (finish, usage, end) once.
 * So the stream ends as recorded and the recorded usage is what LLM Pulse reads.
 */
final class RecordedStream {
  final String format;
  final Request request;
  final Headers headers;
  final MediaType type;
  final byte[] body;
  final int events;

  private RecordedStream(String format, Request request, Headers headers, MediaType type,
      byte[] body, int events) {
    this.format = format;
    this.request = request;
    this.headers = headers;
    this.type = type;
    this.body = body;
    this.events = events;
  }

  static RecordedStream of(String format, int minEvents) throws IOException {
    String file;
    String separator;
    String contentMark;
    switch (format) {
      case "openai":
        file = "openai/test_chat_stream_with_include_usage_option.json";
        separator = "\n\n";
        contentMark = "\"delta\":{\"content\":";
        break;
      case "anthropic":
        file = "anthropic/test_anthropic_message_streaming_legacy.json";
        separator = "\n\n";
        contentMark = "event: content_block_delta";
        break;
      case "ollama":
        file = "ollama/test_ollama_streaming_chat_legacy.json";
        separator = "\n";
        contentMark = "\"done\":false";
        break;
      default:
        throw new IllegalArgumentException(format);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> interaction = (Map<String, Object>)
        ((List<Object>) read(file).get("interactions")).get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> req = (Map<String, Object>) interaction.get("request");
    @SuppressWarnings("unchecked")
    Map<String, Object> resp = (Map<String, Object>) interaction.get("response");

    List<String> all = new ArrayList<>();
    for (String e : ((String) resp.get("body")).split(separator, -1)) {
      if (!e.isEmpty()) all.add(e + separator);
    }
    int first = -1;
    int last = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(contentMark)) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) throw new IllegalStateException(file + ": no content event");
    List<String> out = new ArrayList<>(all.subList(0, first));
    List<String> content = all.subList(first, last + 1);
    List<String> tail = all.subList(last + 1, all.size());
    while (out.size() + tail.size() < minEvents) out.addAll(content);
    out.addAll(tail);
    StringBuilder body = new StringBuilder();
    for (String e : out) body.append(e);

    Headers.Builder h = new Headers.Builder();
    MediaType type = null;
    @SuppressWarnings("unchecked")
    Map<String, Object> rh = (Map<String, Object>) resp.get("headers");
    for (Map.Entry<String, Object> e : rh.entrySet()) {
      String name = e.getKey();
      if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
          || name.equalsIgnoreCase("content-encoding")) {
        continue;
      }
      for (Object v : (List<?>) e.getValue()) {
        h.add(name, (String) v);
        if (name.equalsIgnoreCase("content-type")) type = MediaType.get((String) v);
      }
    }
    Request.Builder r = new Request.Builder().url((String) req.get("uri"));
    @SuppressWarnings("unchecked")
    Map<String, Object> qh = (Map<String, Object>) req.get("headers");
    for (String name : new String[] {"accept", "anthropic-version", "content-type"}) {
      Object v = qh.get(name);
      if (v != null) r.header(name, (String) ((List<?>) v).get(0));
    }
    r.header("Authorization", "Bearer sk-benchmark");
    r.post(RequestBody.create(((String) req.get("body")).getBytes(StandardCharsets.UTF_8),
        Payloads.JSON));
    return new RecordedStream(format, r.build(), h.build(), type,
        body.toString().getBytes(StandardCharsets.UTF_8), out.size());
  }

  private static Map<String, Object> read(String file) throws IOException {
    try (InputStream in = RecordedStream.class.getResourceAsStream("/fixtures/" + file)) {
      if (in == null) throw new IllegalStateException("not in the jar: fixtures/" + file);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      try (JsonParser p = new JsonFactory().createParser(bytes.toByteArray())) {
        p.nextToken();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) value(p);
        return m;
      }
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Object> m = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        m.put(name, value(p));
      }
      return m;
    }
    if (t == JsonToken.START_ARRAY) {
      List<Object> l = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) l.add(value(p));
      return l;
    }
    if (t == JsonToken.VALUE_NULL) return null;
    return p.getText();
  }
}
