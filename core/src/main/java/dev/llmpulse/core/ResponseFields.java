package dev.llmpulse.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one response tells about the call, collected value by value as {@link JsonWalker} walks a
 * body or each event of a stream: model, usage, finish reasons, and the structural facts the
 * validator needs. A cumulative usage block that repeats (Anthropic {@code message_delta}, Gemini
 * chunks, OpenAI's usage chunk) keeps its last value, so it is counted once.
 */
final class ResponseFields {
  private static final int MAX_FINISH_REASONS = 16;
  private static final int MAX_LABEL_CHARS = 200;

  /** Called at the end of each document (a stream event or chunk) that carried content. */
  interface ContentListener {
    void onContentChunk();
  }

  private final WireFormat format;
  private final ContentListener listener;

  // Across the whole response.
  private String model = "";
  private final List<String> finishReasons = new ArrayList<>(2);
  private String lastStopReason; // Anthropic: the last stop_reason seen wins
  private String responseStatus; // Responses API: last status seen
  private String incompleteReason;
  private boolean usageSeen;
  private long input, output, cacheRead, cacheCreation, cacheCreation1h, reasoning;
  private long candidatesTokens, thoughtsTokens; // Gemini, summed at the end
  private boolean sawChoices;
  private int choiceCount;
  private boolean sawCandidates;
  private boolean blocked;
  private boolean terminatorSeen;
  private boolean errorEventSeen;

  // Per document (stream event).
  private boolean docContent;
  private String docType;
  private boolean docError;

  ResponseFields(WireFormat format, ContentListener listener) {
    this.format = format;
    this.listener = listener;
  }

  void beginDocument() {
    docContent = false;
    docType = null;
    docError = false;
  }

  void onStart(JsonWalker w, String key, boolean isArray, int depth) {
    if (key == null) {
      // An element of an array: a choice or candidate when its array sits at the root.
      if (!isArray && w.keyCount() == 1) {
        String parent = w.key(0);
        if ("choices".equals(parent)) choiceCount++;
      }
      return;
    }
    int keys = w.keyCount();
    switch (key) {
      case "error":
        if (!isArray && keys == 0) docError = true;
        return;
      case "choices":
        if (isArray && keys == 0) sawChoices = true;
        return;
      case "content":
        if (format == WireFormat.ANTHROPIC_MESSAGES && isArray && keys == 0) sawChoices = true;
        return;
      case "candidates":
        if (isArray && keys == 0) {
          sawCandidates = true;
        }
        return;
      case "usage":
        // A new OpenAI-style usage block replaces the previous one. Anthropic's message_delta
        // usage may carry only output_tokens, so its fields are kept one by one instead.
        if (format != WireFormat.ANTHROPIC_MESSAGES && !isArray && isUsageParent(w, keys)) {
          clearUsage();
        }
        return;
      case "usageMetadata":
        if (!isArray && keys == 0) clearUsage();
        return;
      case "tool_calls":
      case "functionCall":
        docContent = true;
        return;
      default:
    }
  }

  private boolean isUsageParent(JsonWalker w, int keys) {
    return keys == 0 || (keys == 1 && "response".equals(w.key(0)));
  }

  private void clearUsage() {
    usageSeen = false;
    input = output = cacheRead = cacheCreation = cacheCreation1h = reasoning = 0;
    candidatesTokens = thoughtsTokens = 0;
  }

  void onScalar(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    if (key == null) return;
    switch (format) {
      case OPENAI_CHAT:
      case OPENAI_COMPLETIONS:
      case OPENAI_EMBEDDINGS:
        openAi(w, p, t, key);
        return;
      case OPENAI_RESPONSES:
        responses(w, p, t, key);
        return;
      case ANTHROPIC_MESSAGES:
        anthropic(w, p, t, key);
        return;
      case GEMINI:
        gemini(w, p, t, key);
        return;
      default:
    }
  }

  private void openAi(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "model":
        if (keys == 0) model = text(p, t, model);
        return;
      case "finish_reason":
        if (keys == 1 && "choices".equals(parent) && t == JsonToken.VALUE_STRING) {
          addFinishReason(p.getText());
        }
        return;
      case "content":
      case "reasoning_content":
      case "reasoning":
      case "refusal":
        if (keys == 2 && "delta".equals(parent) && nonEmptyString(p, t)) docContent = true;
        return;
      case "text":
        if (keys == 1 && "choices".equals(parent) && nonEmptyString(p, t)) docContent = true;
        return;
      case "prompt_tokens":
        if (isUsage(w, keys)) input = number(p, t);
        return;
      case "completion_tokens":
        if (isUsage(w, keys)) output = number(p, t);
        return;
      case "prompt_cache_hit_tokens": // DeepSeek
        if (isUsage(w, keys)) cacheRead = Math.max(cacheRead, number(p, t));
        return;
      case "cached_tokens":
        if (keys == 2 && "prompt_tokens_details".equals(parent) && "usage".equals(w.key(1))) {
          cacheRead = Math.max(cacheRead, number(p, t));
        }
        return;
      case "reasoning_tokens":
        if (keys == 2 && "completion_tokens_details".equals(parent) && "usage".equals(w.key(1))) {
          reasoning = number(p, t);
        }
        return;
      case "total_tokens":
        if (isUsage(w, keys)) usageSeen = true; // embeddings: prompt_tokens + total_tokens only
        return;
      default:
    }
  }

  private boolean isUsage(JsonWalker w, int keys) {
    if (keys == 1 && "usage".equals(w.key(0))) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  private void responses(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    int base = keys > 0 && "response".equals(w.rootKey()) ? 1 : 0;
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0 && t == JsonToken.VALUE_STRING) docType = p.getText();
        return;
      case "delta":
        if (keys == 0 && nonEmptyString(p, t)) docContent = true;
        return;
      case "model":
        if (keys == base) model = text(p, t, model);
        return;
      case "status":
        if (keys == base && t == JsonToken.VALUE_STRING) responseStatus = p.getText();
        return;
      case "reason":
        if (keys == base + 1 && "incomplete_details".equals(parent)
            && t == JsonToken.VALUE_STRING) {
          incompleteReason = p.getText();
        }
        return;
      case "input_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          input = number(p, t);
        }
        return;
      case "output_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          output = number(p, t);
        }
        return;
      case "cached_tokens":
        if (keys == base + 2 && "input_tokens_details".equals(parent)) cacheRead = number(p, t);
        return;
      case "reasoning_tokens":
        if (keys == base + 2 && "output_tokens_details".equals(parent)) reasoning = number(p, t);
        return;
      default:
    }
  }

  private void anthropic(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    int base = keys > 0 && "message".equals(w.rootKey()) ? 1 : 0;
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0 && t == JsonToken.VALUE_STRING) docType = p.getText();
        return;
      case "model":
        if (keys == base) model = text(p, t, model);
        return;
      case "stop_reason":
        if (t == JsonToken.VALUE_STRING
            && (keys == base || (keys == 1 && "delta".equals(parent)))) {
          lastStopReason = p.getText();
        }
        return;
      case "text":
      case "partial_json":
      case "thinking":
        if (keys == 1 && "delta".equals(parent) && nonEmptyString(p, t)) docContent = true;
        return;
      case "input_tokens":
        if (isAnthropicUsage(w, keys, base)) input = number(p, t);
        return;
      case "output_tokens":
        if (isAnthropicUsage(w, keys, base)) output = number(p, t);
        return;
      case "cache_read_input_tokens":
        if (isAnthropicUsage(w, keys, base)) cacheRead = number(p, t);
        return;
      case "cache_creation_input_tokens":
        if (isAnthropicUsage(w, keys, base)) cacheCreation = number(p, t);
        return;
      case "ephemeral_1h_input_tokens":
        if (keys == base + 2 && "cache_creation".equals(parent) && "usage".equals(w.key(1))) {
          cacheCreation1h = number(p, t);
        }
        return;
      default:
    }
  }

  private boolean isAnthropicUsage(JsonWalker w, int keys, int base) {
    if (keys == base + 1 && "usage".equals(w.key(0))) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  private void gemini(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "modelVersion":
        if (keys == 0) model = text(p, t, model);
        return;
      case "finishReason":
        if (keys == 1 && "candidates".equals(parent) && t == JsonToken.VALUE_STRING) {
          addFinishReason(p.getText());
          terminatorSeen = true;
        }
        return;
      case "blockReason":
        if (keys == 1 && "promptFeedback".equals(parent) && t == JsonToken.VALUE_STRING) {
          blocked = true;
          addFinishReason(p.getText());
          terminatorSeen = true;
        }
        return;
      case "text":
        if (keys == 3 && "parts".equals(parent) && nonEmptyString(p, t)) docContent = true;
        return;
      case "promptTokenCount":
        if (isGeminiUsage(parent, keys)) input = number(p, t);
        return;
      case "candidatesTokenCount":
        if (isGeminiUsage(parent, keys)) candidatesTokens = number(p, t);
        return;
      case "thoughtsTokenCount":
        if (isGeminiUsage(parent, keys)) thoughtsTokens = number(p, t);
        return;
      case "cachedContentTokenCount":
        if (isGeminiUsage(parent, keys)) cacheRead = number(p, t);
        return;
      case "totalTokenCount":
        isGeminiUsage(parent, keys);
        return;
      default:
    }
  }

  private boolean isGeminiUsage(String parent, int keys) {
    if (keys == 1 && "usageMetadata".equals(parent)) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  /** Ends a document: a whole body, one stream event, or one chunk of a JSON-array stream. */
  void onDocumentEnd() {
    if (docType != null) {
      switch (docType) {
        case "message_stop":
        case "response.completed":
        case "response.incomplete":
          terminatorSeen = true;
          break;
        case "error":
        case "response.failed":
        case "response.error":
          errorEventSeen = true;
          break;
        case "content_block_delta":
          break;
        default:
      }
    }
    if (docError) errorEventSeen = true;
    if (docContent) listener.onContentChunk();
    docContent = false;
    docType = null;
    docError = false;
  }

  void markTerminator() {
    terminatorSeen = true;
  }

  void markErrorEvent() {
    errorEventSeen = true;
  }

  boolean terminatorSeen() {
    return terminatorSeen;
  }

  boolean errorEventSeen() {
    return errorEventSeen;
  }

  /** The structural verdict of a complete, parsed, non-streaming 2xx body; null when fine. */
  InvalidResponseReason bodyVerdict() {
    switch (format) {
      case OPENAI_CHAT:
      case OPENAI_COMPLETIONS:
      case ANTHROPIC_MESSAGES:
        if (!sawChoices) return InvalidResponseReason.MISSING_CHOICES;
        if (format != WireFormat.ANTHROPIC_MESSAGES && choiceCount == 0) {
          return InvalidResponseReason.EMPTY_CHOICES;
        }
        return null;
      case GEMINI:
        return sawCandidates || blocked ? null : InvalidResponseReason.MISSING_CHOICES;
      case OPENAI_RESPONSES:
        return "failed".equals(responseStatus) || "cancelled".equals(responseStatus)
            ? InvalidResponseReason.RESPONSE_FAILED : null;
      default:
        return null;
    }
  }

  String model() {
    return model;
  }

  List<String> finishReasons() {
    if (lastStopReason != null) addFinishReason(lastStopReason);
    lastStopReason = null;
    if ("incomplete".equals(responseStatus)) {
      addFinishReason(incompleteReason != null ? incompleteReason : "incomplete");
      responseStatus = null;
    } else if ("completed".equals(responseStatus)) {
      addFinishReason("completed");
      responseStatus = null;
    }
    return finishReasons.isEmpty() ? Collections.emptyList() : finishReasons;
  }

  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    switch (format) {
      case ANTHROPIC_MESSAGES:
        return TokenUsage.builder()
            .input(input + cacheRead + cacheCreation)
            .output(output)
            .cacheRead(cacheRead)
            .cacheCreation(cacheCreation)
            .cacheCreation1h(cacheCreation1h)
            .build();
      case GEMINI:
        return TokenUsage.builder()
            .input(input)
            .output(candidatesTokens + thoughtsTokens)
            .reasoning(thoughtsTokens)
            .cacheRead(cacheRead)
            .build();
      default:
        return TokenUsage.builder()
            .input(input)
            .output(output)
            .cacheRead(Math.min(cacheRead, input))
            .reasoning(Math.min(reasoning, output))
            .build();
    }
  }

  private void addFinishReason(String reason) {
    if (reason.isEmpty() || finishReasons.size() >= MAX_FINISH_REASONS) return;
    finishReasons.add(reason.length() > MAX_LABEL_CHARS ? "_OTHER" : reason);
  }

  /**
   * The string value, or {@code current} when absent or empty (Azure's "" chunk). A value equal to
   * {@code current} returns {@code current} itself: a stream repeats its model in every event, and
   * keeping one instance spares a string (and its hash) per event.
   */
  private static String text(JsonParser p, JsonToken t, String current) throws IOException {
    if (t != JsonToken.VALUE_STRING) return current;
    int length = p.getTextLength();
    if (length == 0) return current;
    if (length > MAX_LABEL_CHARS) return "_OTHER";
    if (length == current.length()) {
      char[] chars = p.getTextCharacters();
      int offset = p.getTextOffset();
      boolean same = true;
      for (int i = 0; i < length && same; i++) same = chars[offset + i] == current.charAt(i);
      if (same) return current;
    }
    return p.getText();
  }

  private static boolean nonEmptyString(JsonParser p, JsonToken t) throws IOException {
    return t == JsonToken.VALUE_STRING && p.getTextLength() > 0;
  }

  /** A token count: a non-negative integer; anything else (string, float, negative) is 0. */
  private static long number(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) return 0;
    if (p.getNumberType() != JsonParser.NumberType.INT
        && p.getNumberType() != JsonParser.NumberType.LONG) {
      return 0;
    }
    return Math.max(0, p.getLongValue());
  }
}
