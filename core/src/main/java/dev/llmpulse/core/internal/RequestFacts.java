package dev.llmpulse.core.internal;

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

  /**
   * {model, stream} from the top level of the body; null when it is not a JSON object. The body
   * is read up to the end of that object and must be valid JSON up to there (what follows it is
   * not read).
   */
  static String[] readModelAndStream(byte[] body, int length) {
    TopLevelFields fields = new TopLevelFields();
    JsonTokenizer tokenizer = new JsonTokenizer(fields, true);
    fields.tokenizer = tokenizer;
    try {
      tokenizer.feed(body, 0, length);
      tokenizer.endOfInput();
    } catch (IOException | RuntimeException e) {
      return null; // not JSON after all: the call is still measured, without a model
    }
    if (!fields.complete) return null;
    return new String[] {fields.model, fields.stream};
  }

  /** The root object's {@code model} (a string) and {@code stream} (a boolean) fields. */
  private static final class TopLevelFields extends JsonTokenizer.Handler {
    JsonTokenizer tokenizer;
    String field;
    String model = "";
    String stream = "";
    boolean complete;

    @Override
    void startContainer(boolean isArray) throws IOException {
      if (tokenizer.depth() == 1 && isArray) throw new IOException("not a JSON object");
    }

    @Override
    void endContainer(boolean isArray) {
      if (tokenizer.depth() == 0) complete = true;
    }

    @Override
    void fieldName(String name) {
      if (tokenizer.depth() == 1) field = name;
    }

    @Override
    void scalar(JsonTokenizer value) throws IOException {
      int depth = tokenizer.depth();
      if (depth == 0) throw new IOException("not a JSON object");
      if (depth != 1) return;
      if ("model".equals(field) && value.isString()) {
        model = value.text();
      } else if ("stream".equals(field)) {
        int type = value.valueType();
        if (type == JsonTokenizer.TRUE) stream = "true";
        else if (type == JsonTokenizer.FALSE) stream = "false";
      }
    }
  }
}
