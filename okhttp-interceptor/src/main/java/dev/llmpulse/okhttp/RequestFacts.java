package dev.llmpulse.okhttp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmpulse.core.WireFormat;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * What the request says about the call: its model and whether it asked for a stream. The body is
 * read only when it is JSON, replayable (not one-shot, not duplex) and at most {@link
 * #MAX_BODY_BYTES}; only its top-level {@code model} and {@code stream} fields are looked at.
 */
final class RequestFacts {
  static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  final WireFormat format;
  final String model;
  final boolean stream;

  private RequestFacts(WireFormat format, String model, boolean stream) {
    this.format = format;
    this.model = model;
    this.stream = stream;
  }

  /**
   * Reads the request of a call already known to be {@code format} (never UNKNOWN). A stream is
   * asked for by a streaming path, by {@code "stream": true}, or by default where the API streams
   * unless told not to (Ollama). The model is the body's {@code model}, except where the path
   * names it ({@code …/models/{model}:method}), and the path's otherwise (Azure deployments).
   */
  static RequestFacts of(Request request, WireFormat format) {
    String path = request.url().encodedPath();
    String model = "";
    boolean streamingPath = WireFormat.isStreamingPath(path);
    boolean stream = streamingPath || format.streamsByDefault();
    RequestBody body = request.body();
    if (format.isParsed() && body != null && isReadableJson(body)) {
      String[] found = readModelAndStream(body);
      if (found != null) {
        model = found[0];
        if ("true".equals(found[1])) stream = true;
        else if ("false".equals(found[1])) stream = streamingPath;
      }
    }
    if (model.isEmpty() || format.modelInPath()) {
      String fromPath = WireFormat.modelFromPath(path); // Gemini, Vertex AI, Azure deployments
      if (!fromPath.isEmpty()) model = fromPath;
    }
    return new RequestFacts(format, model, stream);
  }

  private static boolean isReadableJson(RequestBody body) {
    if (body.isOneShot() || body.isDuplex()) return false;
    MediaType type = body.contentType();
    if (type == null || !"json".equals(type.subtype()) && !type.subtype().endsWith("+json")) {
      return false;
    }
    try {
      long length = body.contentLength();
      return length >= 0 && length <= MAX_BODY_BYTES;
    } catch (IOException e) {
      return false;
    }
  }

  /** {model, stream} from the top level of the body; null when it cannot be read. */
  private static String[] readModelAndStream(RequestBody body) {
    Buffer buffer = new Buffer();
    try {
      body.writeTo(buffer);
      String model = "";
      String stream = "";
      try (JsonParser parser = JSON.createParser(buffer.readByteArray())) {
        if (parser.nextToken() != JsonToken.START_OBJECT) return null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
            model = parser.getText();
          } else if ("stream".equals(name) && value.isBoolean()) {
            stream = value == JsonToken.VALUE_TRUE ? "true" : "false";
          } else {
            parser.skipChildren();
          }
        }
      }
      return new String[] {model, stream};
    } catch (IOException | RuntimeException e) {
      return null; // not JSON after all: the call is still measured, without a model
    } finally {
      buffer.clear();
    }
  }
}
