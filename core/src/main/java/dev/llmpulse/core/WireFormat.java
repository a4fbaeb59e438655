package dev.llmpulse.core;

import java.util.Locale;

/**
 * The API shapes LLM Pulse understands, detected from the request path. Everything else is
 * {@link #UNKNOWN}: its calls still get latency, status and rate-limit metrics.
 *
 * <pre>{@code
 * WireFormat format = WireFormat.detect("/v1/chat/completions"); // OPENAI_CHAT
 * String operation = format.operationName();                      // "chat"
 * }</pre>
 */
public enum WireFormat {
  /** {@code POST …/chat/completions}, OpenAI and every OpenAI-compatible API. */
  OPENAI_CHAT("chat"),
  /** {@code POST …/responses}, OpenAI's Responses API. */
  OPENAI_RESPONSES("chat"),
  /** {@code POST …/completions}, the legacy text completions API. */
  OPENAI_COMPLETIONS("text_completion"),
  /** {@code POST …/embeddings}. */
  OPENAI_EMBEDDINGS("embeddings"),
  /** {@code POST …/v1/messages}, Anthropic Messages. */
  ANTHROPIC_MESSAGES("chat"),
  /** {@code …/models/{model}:generateContent} and {@code :streamGenerateContent}, Gemini and Vertex AI. */
  GEMINI("generate_content"),
  /** Anything else: no body parsing. */
  UNKNOWN("");

  private final String operationName;

  WireFormat(String operationName) {
    this.operationName = operationName;
  }

  /** The {@code gen_ai_operation_name} label value; empty for {@link #UNKNOWN}. */
  public String operationName() {
    return operationName;
  }

  /** True for the formats whose bodies LLM Pulse parses. */
  public boolean isParsed() {
    return this != UNKNOWN;
  }

  /**
   * Detects the wire format from a request path such as {@code /v1/chat/completions} or
   * {@code /v1beta/models/gemini-2.5-flash:streamGenerateContent}. The query is ignored.
   */
  public static WireFormat detect(String path) {
    if (path == null || path.isEmpty()) return UNKNOWN;
    int query = path.indexOf('?');
    String p = (query >= 0 ? path.substring(0, query) : path).toLowerCase(Locale.ROOT);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.endsWith("/chat/completions")) return OPENAI_CHAT;
    if (p.endsWith("/responses")) return OPENAI_RESPONSES;
    if (p.endsWith("/completions")) return OPENAI_COMPLETIONS;
    if (p.endsWith("/embeddings")) return OPENAI_EMBEDDINGS;
    if (p.endsWith("/messages") && !p.contains("/threads/")) return ANTHROPIC_MESSAGES; // not Assistants
    if (p.contains("/models/") && (p.endsWith(":generatecontent")
        || p.endsWith(":streamgeneratecontent"))) {
      return GEMINI;
    }
    return UNKNOWN;
  }

  /**
   * True when the path itself asks for a stream whatever the body says: Gemini's
   * {@code :streamGenerateContent}.
   */
  public static boolean isStreamingPath(String path) {
    return path != null && path.toLowerCase(Locale.ROOT).contains(":streamgeneratecontent");
  }

  /**
   * The model named in the path: Gemini's {@code models/{model}:…} or Azure OpenAI's
   * {@code /openai/deployments/{deployment}/…}; empty when the path names none.
   */
  public static String modelFromPath(String path) {
    if (path == null) return "";
    int models = path.lastIndexOf("/models/");
    int colon = path.lastIndexOf(':');
    if (models >= 0 && colon > models + 8) {
      return path.substring(models + 8, colon);
    }
    int deployments = path.indexOf("/deployments/");
    if (deployments >= 0) {
      int start = deployments + "/deployments/".length();
      int end = path.indexOf('/', start);
      if (end > start) return path.substring(start, end);
    }
    return "";
  }
}
