package dev.llmpulse.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmpulse.core.WireFormat;
import java.io.IOException;
import java.util.Locale;

/**
 * What an LLM request says about its call, whatever client sent it: the wire format (from the
 * path), the model and whether a stream was asked for. The body is looked at only when the
 * binding could read it safely (JSON, replayable, at most {@link #MAX_BODY_BYTES}); only its
 * top-level {@code model} and {@code stream} fields are read, never the prompt.
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class RequestFacts {
  /** Bodies larger than this are not read for their model. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  public final WireFormat format;
  public final String model;
  public final boolean stream;

  private RequestFacts(WireFormat format, String model, boolean stream) {
    this.format = format;
    this.model = model;
    this.stream = stream;
  }

  /**
   * True for a request {@code Content-Type} whose body may be read: {@code application/json} or
   * any {@code …+json}, with or without parameters.
   */
  public static boolean isJson(String contentType) {
    if (contentType == null) return false;
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    if (semicolon >= 0) type = type.substring(0, semicolon);
    type = type.trim();
    return type.endsWith("/json") || type.endsWith("+json");
  }

  /**
   * Reads a request already known to be {@code format}.
   *
   * @param path the request path (its query is ignored)
   * @param body the request body, or null when it could not be read safely
   * @param length the number of body bytes in {@code body}
   */
  public static RequestFacts of(WireFormat format, String path, byte[] body, int length) {
    String model = "";
    String streamField = "";
    if (body != null && length > 0 && length <= MAX_BODY_BYTES) {
      String[] found = readModelAndStream(body, length);
      if (found != null) {
        model = found[0];
        streamField = found[1];
      }
    }
    boolean stream = WireFormat.isStreamingPath(path) || (format.streamsByDefault()
        ? !"false".equals(streamField) : "true".equals(streamField));
    String inPath = WireFormat.modelFromPath(path);
    if (format.modelInPath() && !inPath.isEmpty()) {
      model = inPath;
    } else if (model.isEmpty()) {
      model = inPath; // Gemini, Vertex AI, Azure deployments
    }
    return new RequestFacts(format, model, stream);
  }

  /** {model, stream} from the top level of the body; null when it is not a JSON object. */
  private static String[] readModelAndStream(byte[] body, int length) {
    String model = "";
    String stream = "";
    try (JsonParser parser = JSON.createParser(body, 0, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
          model = parser.getText();
        } else if ("stream".equals(name) && value != null && value.isBoolean()) {
          stream = value == JsonToken.VALUE_TRUE ? "true" : "false";
        } else {
          parser.skipChildren();
        }
      }
      return new String[] {model, stream};
    } catch (IOException | RuntimeException e) {
      return null; // not JSON after all: the call is still measured, without a model
    }
  }
}
