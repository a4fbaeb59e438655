package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


/**
 * OpenAI Chat Completions, legacy Completions and Embeddings, and every API that copies them
 * (DeepSeek, Groq, Mistral, OpenRouter, Azure OpenAI, vLLM, Ollama's {@code /v1}).
 *
 * <ul>
 *   <li>model: root {@code model} (Azure's empty first chunk keeps the previous one)
 *   <li>usage: root {@code usage}, or Groq's {@code x_groq.usage} on a stream's last chunk:
 *       {@code prompt_tokens}, {@code completion_tokens}, {@code
 *       prompt_tokens_details.cached_tokens} (DeepSeek: {@code prompt_cache_hit_tokens}), {@code
 *       completion_tokens_details.reasoning_tokens}
 *   <li>finish reasons: {@code choices[].finish_reason}, once per choice {@code index}
 *   <li>content chunks: a chunk with a non-empty {@code delta.content}, {@code
 *       reasoning_content}, {@code reasoning} or {@code refusal}, a tool-call delta ({@code
 *       delta.tool_calls[]} with an id, a name or argument text; legacy {@code
 *       delta.function_call}), or legacy {@code choices[].text}
 *   <li>verdict: {@code choices} missing or empty (chat and completions; embeddings have none)
 * </ul>
 */
final class OpenAiReader extends FormatReader {
  private final boolean hasChoices;

  private boolean sawChoices;
  private int choiceCount;
  private long input, output, cacheRead, reasoning;

  private OpenAiReader(boolean hasChoices) {
    this.hasChoices = hasChoices;
  }

  /** Chat Completions and legacy Completions: the answer is in {@code choices}. */
  static OpenAiReader withChoices() {
    return new OpenAiReader(true);
  }

  /** Embeddings: no choices, usage only. */
  static OpenAiReader embeddings() {
    return new OpenAiReader(false);
  }

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    int keys = w.keyCount();
    if (key == null) {
      if (isArray) return;
      if (keys == 1 && "choices".equals(w.key(0))) {
        choiceCount++;
        beginChoice();
      }
      return;
    }
    switch (key) {
      case "error":
        if (!isArray && keys == 0) docError = true;
        return;
      case "choices":
        if (isArray && keys == 0) sawChoices = true;
        return;
      case "usage":
        if (!isArray && (keys == 0 || keys == 1 && "x_groq".equals(w.key(0)))) clearUsage();
        return;
      default:
    }
  }

  @Override
  void onEnd(JsonWalker w, boolean isArray) {
    if (!isArray && w.keyCount() == 1 && "choices".equals(w.key(0))) endChoice();
  }

  private void clearUsage() {
    usageSeen = false;
    input = output = cacheRead = reasoning = 0;
  }

  @Override
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "model":
        if (keys == 0) model(v);
        return true;
      case "index":
        if (keys == 1 && "choices".equals(parent)) choiceIndex(v);
        return true;
      case "finish_reason":
        if (keys != 1 || !"choices".equals(parent) || !v.isString()) return false; // null: none
        choiceReason(v);
        return true;
      case "content":
      case "reasoning_content":
      case "reasoning":
      case "refusal":
        if (keys == 2 && "delta".equals(parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "text":
        if (keys == 1 && "choices".equals(parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "id":
        if (keys != 3) return false; // the chunk's own id
        if ("tool_calls".equals(parent) && "delta".equals(w.key(1)) && nonEmptyString(v)) {
          docContent = true; // a tool call opens
        }
        return true;
      case "name":
      case "arguments":
        if (isToolCallDelta(w, keys, parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "prompt_tokens":
        if (isUsage(w, keys)) input = number(v);
        return true;
      case "completion_tokens":
        if (isUsage(w, keys)) output = number(v);
        return true;
      case "prompt_cache_hit_tokens": // DeepSeek
        if (isUsage(w, keys)) cacheRead = Math.max(cacheRead, number(v));
        return true;
      case "cached_tokens":
        if ("prompt_tokens_details".equals(parent) && isUsageDetail(w, keys)) {
          cacheRead = Math.max(cacheRead, number(v));
        }
        return true;
      case "reasoning_tokens":
        if ("completion_tokens_details".equals(parent) && isUsageDetail(w, keys)) {
          reasoning = number(v);
        }
        return true;
      case "total_tokens":
        isUsage(w, keys); // embeddings: prompt_tokens + total_tokens only
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  /** {@code delta.tool_calls[].function}, or the legacy {@code delta.function_call}. */
  private static boolean isToolCallDelta(JsonWalker w, int keys, String parent) {
    if (keys == 4) {
      return "function".equals(parent) && "tool_calls".equals(w.key(1)) && "delta".equals(w.key(2));
    }
    return keys == 3 && "function_call".equals(parent) && "delta".equals(w.key(1));
  }

  /** A field of the usage block: root {@code usage} or Groq's {@code x_groq.usage}. */
  private boolean isUsage(JsonWalker w, int keys) {
    if (!"usage".equals(w.key(0))) return false;
    if (keys == 1 || keys == 2 && "x_groq".equals(w.key(1))) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  /** A field of a usage details block ({@code usage.*_details}). */
  private static boolean isUsageDetail(JsonWalker w, int keys) {
    if (!"usage".equals(w.key(1))) return false;
    return keys == 2 || keys == 3 && "x_groq".equals(w.key(2));
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    if (!hasChoices) return null;
    if (!sawChoices) return InvalidResponseReason.MISSING_CHOICES;
    return choiceCount == 0 ? InvalidResponseReason.EMPTY_CHOICES : null;
  }

  @Override
  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    return TokenUsage.builder()
        .input(input)
        .output(output)
        .cacheRead(Math.min(cacheRead, input))
        .reasoning(Math.min(reasoning, output))
        .build();
  }
}
