package dev.llmpulse.core;

/**
 * Turns a call's token usage into money. {@code dev.llmpulse.pricing.PriceTable} is the
 * implementation the interceptor uses by default; an application may supply its own (negotiated
 * rates, an internal chargeback table).
 *
 * <p>Implementations are called on the application's threads once per finished call: they must be
 * fast, thread-safe and must not throw.
 *
 * <pre>{@code
 * CostModel flatRate = (provider, model, usage) ->
 *     CallCost.ofUsd(usage.uncachedInputTokens() * 1e-6, 0, 0, usage.outputTokens() * 4e-6);
 * }</pre>
 */
@FunctionalInterface
public interface CostModel {
  /** A model that knows no prices: every call with usage counts as unpriced. */
  CostModel NONE = (provider, model, usage) -> null;

  /**
   * @param providerName the {@code gen_ai_provider_name} of the call, e.g. {@code openai}
   * @param model the model that answered (or, if the response named none, the one requested)
   * @param usage the call's token usage; always {@link TokenUsage#isKnown() known}
   * @return the call's cost, or {@code null} when this model has no price: the call is then
   *     counted in {@code gen_ai_client_unpriced_operations_total}, never priced at zero
   */
  CallCost cost(String providerName, String model, TokenUsage usage);
}
