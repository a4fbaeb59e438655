package dev.llmpulse.core;

/**
 * The price of one call in US dollars, split into the billing components that
 * {@code gen_ai_client_cost_usd_total{gen_ai_token_type}} exports. The components sum to
 * {@link #totalUsd()}.
 *
 * <pre>{@code
 * CallCost cost = CallCost.ofUsd(0.0004, 0.0001, 0.0, 0.0008);
 * double total = cost.totalUsd(); // 0.0013
 * }</pre>
 */
public final class CallCost {
  private final double inputUsd;
  private final double cacheReadUsd;
  private final double cacheCreationUsd;
  private final double outputUsd;

  private CallCost(double input, double cacheRead, double cacheCreation, double output) {
    this.inputUsd = input;
    this.cacheReadUsd = cacheRead;
    this.cacheCreationUsd = cacheCreation;
    this.outputUsd = output;
  }

  /**
   * @param inputUsd uncached input
   * @param cacheReadUsd input read from the prompt cache
   * @param cacheCreationUsd input written to the prompt cache
   * @param outputUsd output, reasoning included
   * @throws IllegalArgumentException if a component is negative or not finite
   */
  public static CallCost ofUsd(double inputUsd, double cacheReadUsd, double cacheCreationUsd,
      double outputUsd) {
    check("input", inputUsd);
    check("cacheRead", cacheReadUsd);
    check("cacheCreation", cacheCreationUsd);
    check("output", outputUsd);
    return new CallCost(inputUsd, cacheReadUsd, cacheCreationUsd, outputUsd);
  }

  private static void check(String name, double usd) {
    if (!(usd >= 0) || Double.isInfinite(usd)) {
      throw new IllegalArgumentException(name + " cost must be a finite amount >= 0: " + usd);
    }
  }

  public double inputUsd() {
    return inputUsd;
  }

  public double cacheReadUsd() {
    return cacheReadUsd;
  }

  public double cacheCreationUsd() {
    return cacheCreationUsd;
  }

  public double outputUsd() {
    return outputUsd;
  }

  public double totalUsd() {
    return inputUsd + cacheReadUsd + cacheCreationUsd + outputUsd;
  }

  @Override
  public String toString() {
    return "CallCost{input=" + inputUsd + ", cacheRead=" + cacheReadUsd
        + ", cacheCreation=" + cacheCreationUsd + ", output=" + outputUsd + '}';
  }
}
