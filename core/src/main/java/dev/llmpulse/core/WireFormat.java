package dev.llmpulse.core;


import java.util.Locale;

/**
 * The API shapes LLM Pulse understands, detected from the request path. Everything else is
 * {@link #UNKNOWN}: not an LLM API call, so the bindings leave it unrecorded. Each format has one
 * reader of its responses (in the internal package); a new format is a constant here, a line in
 * {@link #detect}, and its reader.
 *
 * <pre>{@code
 * WireFormat format = WireFormat.detect("/v1/chat/completions"); // OPENAI_CHAT
 * String operation = format.operationName();                      // "chat"
 * }</pre>
 */
public enum WireFormat {
  /** {@code POST …/chat/completions}, OpenAI and every OpenAI-compatible API. */
  OPENAI_CHAT("chat"),
  /** {@code POST …/responses}, OpenAI's Responses API (also Azure's {@code /openai/v1/responses}). */
  OPENAI_RESPONSES("chat"),
  /** {@code POST …/completions}, the legacy text completions API. */
  OPENAI_COMPLETIONS("text_completion"),
  /** {@code POST …/embeddings}. */
  OPENAI_EMBEDDINGS("embeddings"),
  /**
   * {@code POST …/v1/messages}, Anthropic Messages; also on Vertex AI, {@code
   * …/publishers/anthropic/models/{model}:rawPredict} and {@code :streamRawPredict}.
   */
  ANTHROPIC_MESSAGES("chat"),
  /** {@code …/models/{model}:generateContent} and {@code :streamGenerateContent}, Gemini and Vertex AI. */
  GEMINI("generate_content"),
  /** {@code …/models/{model}:embedContent} and {@code :batchEmbedContents}, Gemini and Vertex AI. */
  GEMINI_EMBEDDINGS("embeddings"),
  /** {@code POST …/api/chat}, Ollama's native chat API; streams NDJSON unless asked not to. */
  OLLAMA_CHAT("chat"),
  /** {@code POST …/api/generate}, Ollama's native completion API; streams NDJSON unless asked not to. */
  OLLAMA_GENERATE("text_completion"),
  /** {@code POST …/api/embed}, Ollama's native embeddings API. */
  OLLAMA_EMBED("embeddings"),
  /** {@code POST …/v2/chat}, Cohere's v2 chat API. */
  COHERE_CHAT("chat"),
  /** Anything else: not an LLM API call, no body parsing. */
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
    if (p.endsWith("/chat/completions")) return OPENAI_CHAT; // also Azure's /openai/v1/…
    if (p.endsWith("/responses")) return OPENAI_RESPONSES;
    if (p.endsWith("/completions")) return OPENAI_COMPLETIONS;
    if (p.endsWith("/embeddings")) return OPENAI_EMBEDDINGS;
    if (p.endsWith("/messages") && !p.contains("/threads/")) return ANTHROPIC_MESSAGES; // not Assistants
    if (p.contains("/models/")) return modelMethod(p);
    if (p.endsWith("/api/chat")) return OLLAMA_CHAT;
    if (p.endsWith("/api/generate")) return OLLAMA_GENERATE;
    if (p.endsWith("/api/embed")) return OLLAMA_EMBED;
    if (p.endsWith("/v2/chat")) return COHERE_CHAT;
    return UNKNOWN;
  }

  /** A Gemini or Vertex AI {@code …/models/{model}:method} path (lower case, no query). */
  private static WireFormat modelMethod(String p) {
    if (p.endsWith(":generatecontent") || p.endsWith(":streamgeneratecontent")) return GEMINI;
    if (p.endsWith(":embedcontent") || p.endsWith(":batchembedcontents")) return GEMINI_EMBEDDINGS;
    if (p.contains("/publishers/anthropic/models/") && !p.contains("/models/count-tokens:")
        && (p.endsWith(":rawpredict") || p.endsWith(":streamrawpredict"))) {
      return ANTHROPIC_MESSAGES;
    }
    return UNKNOWN;
  }

  /**
   * True when the path itself asks for a stream whatever the body says: Gemini's {@code
   * :streamGenerateContent}, Vertex AI's {@code :streamRawPredict}.
   */
  public static boolean isStreamingPath(String path) {
    if (path == null || path.indexOf(':') < 0) return false; // most paths: one scan, no copy
    String p = path.toLowerCase(Locale.ROOT);
    return p.contains(":streamgeneratecontent") || p.contains(":streamrawpredict");
  }

  /**
   * True when this API streams unless the request says {@code "stream": false}: Ollama's native
   * {@code /api/chat} and {@code /api/generate}.
   */
  public boolean streamsByDefault() {
    return this == OLLAMA_CHAT || this == OLLAMA_GENERATE;
  }

  /**
   * True when the model named in the path ({@code …/models/{model}:method}) is the one called,
   * whatever the body says (an {@code embedContent} body may repeat it as {@code models/…}):
   * Gemini and Gemini embeddings. Anthropic on Vertex AI names its model only in the path.
   */
  public boolean modelInPath() {
    return this == GEMINI || this == GEMINI_EMBEDDINGS;
  }

  /**
   * The model named in the path: Gemini's {@code models/{model}:…} or Azure OpenAI's
   * {@code /openai/deployments/{deployment}/…}; empty when the path names none.
   */
  public static String modelFromPath(String path) {
    if (path == null) return "";
    int colon = path.lastIndexOf(':');
    if (colon >= 0) { // most paths have none: no search for "/models/"
      int models = path.lastIndexOf("/models/");
      if (models >= 0 && colon > models + 8) return path.substring(models + 8, colon);
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
