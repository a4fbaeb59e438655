package dev.llmpulse.core;

/**
 * Token counts of one LLM call, with OpenTelemetry semantics: {@code input} includes cached input
 * (both cache reads and cache writes), {@code output} includes reasoning.
 *
 * <p>Provider blocks map onto it as follows (the parsers in this package do it):
 * <ul>
 *   <li>OpenAI: input = {@code prompt_tokens}, cacheRead = {@code cached_tokens} (a part of it),
 *       output = {@code completion_tokens}, reasoning = {@code reasoning_tokens} (a part of it).
 *   <li>Anthropic: input = {@code input_tokens + cache_read_input_tokens +
 *       cache_creation_input_tokens}, because Anthropic's {@code input_tokens} excludes both.
 *   <li>Gemini: output = {@code candidatesTokenCount + thoughtsTokenCount}, reasoning = thoughts,
 *       cacheRead = {@code cachedContentTokenCount} (a part of {@code promptTokenCount}).
 *   <li>Groq: OpenAI's fields, in a stream's last chunk under {@code x_groq.usage}.
 *   <li>Ollama (native API): input = {@code prompt_eval_count}, output = {@code eval_count}.
 *   <li>Cohere v2: the billable {@code usage.billed_units}, else {@code usage.tokens}.
 * </ul>
 *
 * <pre>{@code
 * TokenUsage usage = TokenUsage.builder().input(1200).cacheRead(1024).output(80).build();
 * long billedAtFullRate = usage.uncachedInputTokens(); // 176
 * }</pre>
 */
public final class TokenUsage {
  /** No usage block was seen: every count is unknown. */
  public static final TokenUsage UNKNOWN = new TokenUsage(false, 0, 0, 0, 0, 0, 0);

  private final boolean known;
  private final long inputTokens;
  private final long outputTokens;
  private final long cacheReadTokens;
  private final long cacheCreationTokens;
  private final long cacheCreation1hTokens;
  private final long reasoningTokens;

  private TokenUsage(boolean known, long input, long output, long cacheRead, long cacheCreation,
      long cacheCreation1h, long reasoning) {
    this.known = known;
    this.inputTokens = input;
    this.outputTokens = output;
    this.cacheReadTokens = cacheRead;
    this.cacheCreationTokens = cacheCreation;
    this.cacheCreation1hTokens = cacheCreation1h;
    this.reasoningTokens = reasoning;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** False when the response carried no usage block (e.g. a stream without {@code include_usage}). */
  public boolean isKnown() {
    return known;
  }

  /** All input tokens, cached or not. */
  public long inputTokens() {
    return inputTokens;
  }

  /** All output tokens, reasoning included. */
  public long outputTokens() {
    return outputTokens;
  }

  /** Input tokens read from the provider's prompt cache (a part of {@link #inputTokens()}). */
  public long cacheReadTokens() {
    return cacheReadTokens;
  }

  /** Input tokens written to the prompt cache (a part of {@link #inputTokens()}). */
  public long cacheCreationTokens() {
    return cacheCreationTokens;
  }

  /**
   * The part of {@link #cacheCreationTokens()} written with a one-hour lifetime (Anthropic's
   * {@code ephemeral_1h_input_tokens}); the rest used the default five minutes.
   */
  public long cacheCreation1hTokens() {
    return cacheCreation1hTokens;
  }

  /** Reasoning ("thinking") tokens, a part of {@link #outputTokens()}. */
  public long reasoningTokens() {
    return reasoningTokens;
  }

  /** Input tokens billed at the plain input rate: neither read from nor written to a cache. */
  public long uncachedInputTokens() {
    return Math.max(0, inputTokens - cacheReadTokens - cacheCreationTokens);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TokenUsage)) return false;
    TokenUsage that = (TokenUsage) o;
    return known == that.known && inputTokens == that.inputTokens
        && outputTokens == that.outputTokens && cacheReadTokens == that.cacheReadTokens
        && cacheCreationTokens == that.cacheCreationTokens
        && cacheCreation1hTokens == that.cacheCreation1hTokens
        && reasoningTokens == that.reasoningTokens;
  }

  @Override
  public int hashCode() {
    long h = inputTokens;
    h = 31 * h + outputTokens;
    h = 31 * h + cacheReadTokens;
    h = 31 * h + cacheCreationTokens;
    h = 31 * h + cacheCreation1hTokens;
    h = 31 * h + reasoningTokens;
    return Long.hashCode(h) + (known ? 1 : 0);
  }

  @Override
  public String toString() {
    if (!known) return "TokenUsage{unknown}";
    return "TokenUsage{input=" + inputTokens + ", output=" + outputTokens
        + ", cacheRead=" + cacheReadTokens + ", cacheCreation=" + cacheCreationTokens
        + ", cacheCreation1h=" + cacheCreation1hTokens + ", reasoning=" + reasoningTokens + '}';
  }

  /** Builds a known usage; negative counts are clamped to zero. */
  public static final class Builder {
    private long input;
    private long output;
    private long cacheRead;
    private long cacheCreation;
    private long cacheCreation1h;
    private long reasoning;

    private Builder() {}

    public Builder input(long tokens) {
      this.input = Math.max(0, tokens);
      return this;
    }

    public Builder output(long tokens) {
      this.output = Math.max(0, tokens);
      return this;
    }

    public Builder cacheRead(long tokens) {
      this.cacheRead = Math.max(0, tokens);
      return this;
    }

    public Builder cacheCreation(long tokens) {
      this.cacheCreation = Math.max(0, tokens);
      return this;
    }

    public Builder cacheCreation1h(long tokens) {
      this.cacheCreation1h = Math.max(0, tokens);
      return this;
    }

    public Builder reasoning(long tokens) {
      this.reasoning = Math.max(0, tokens);
      return this;
    }

    public TokenUsage build() {
      return new TokenUsage(true, input, output, cacheRead, cacheCreation,
          Math.min(cacheCreation1h, cacheCreation), reasoning);
    }
  }
}
