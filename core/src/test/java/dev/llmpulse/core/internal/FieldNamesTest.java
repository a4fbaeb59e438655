package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The response tokenizer tells a reader only the fields named in {@link FieldNames#READ}: a name a
 * reader compares with but that list lacks would silently read nothing. This holds the readers'
 * sources to the list (their {@code switch (key)} labels and the names they compare keys with).
 */
class FieldNamesTest {
  private static final Path READERS = Paths.get("src/main/java/dev/llmpulse/core/internal");
  private static final Pattern KEY_SWITCH = Pattern.compile("switch \\(key\\) \\{");
  private static final Pattern CASE = Pattern.compile("case \"([^\"]+)\":");
  private static final Pattern KEY_COMPARE = Pattern.compile(
      "\"([^\"]+)\"\\.equals\\((?:key|parent|w\\.key\\(\\d\\)|w\\.rootKey\\(\\))\\)");

  @Test
  void everyNameAReaderComparesWithIsInTheReadList() throws IOException {
    Set<String> compared = new TreeSet<>();
    try (Stream<Path> files = Files.list(READERS)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith("Reader.java"))::iterator) {
        String source = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        Matcher m = KEY_COMPARE.matcher(source);
        while (m.find()) compared.add(m.group(1));
        Matcher s = KEY_SWITCH.matcher(source);
        while (s.find()) {
          String block = block(source, s.end());
          Matcher c = CASE.matcher(block);
          while (c.find()) compared.add(c.group(1));
        }
      }
    }
    assertThat(compared).as("names the readers compare with").hasSizeGreaterThan(60);
    assertThat(Arrays.asList(FieldNames.READ)).containsAll(compared);
  }

  @Test
  void aKnownNameIsOneInstanceAndAnUnknownOneIsStillItsText() {
    byte[] model = "model".getBytes(StandardCharsets.US_ASCII);
    assertThat(FieldNames.ascii(model, 0, 5)).isSameAs(FieldNames.ascii(model.clone(), 0, 5));
    byte[] other = "xmodelx".getBytes(StandardCharsets.US_ASCII);
    assertThat(FieldNames.find(other, 1, 5)).isEqualTo(FieldNames.find(model, 0, 5));
    assertThat(FieldNames.find(other, 0, 7)).isEqualTo(-1);
    assertThat(FieldNames.ascii(other, 0, 7)).isEqualTo("xmodelx");
  }

  @Test
  void aGateNamesKnownNamesOnly() {
    boolean[] gate = FieldNames.gate("model", "stream");
    byte[] model = "model".getBytes(StandardCharsets.US_ASCII);
    byte[] messages = "messages".getBytes(StandardCharsets.US_ASCII);
    assertThat(gate[FieldNames.find(model, 0, 5)]).isTrue();
    assertThat(gate[FieldNames.find(messages, 0, 8)]).isFalse();
    assertThatThrownBy(() -> FieldNames.gate("no_such_field"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_field");
  }

  /** The text of the block whose '{' is just before {@code from}, to its matching '}'. */
  private static String block(String source, int from) {
    int open = 1;
    for (int i = from; i < source.length(); i++) {
      char ch = source.charAt(i);
      if (ch == '{') open++;
      if (ch == '}' && --open == 0) return source.substring(from, i);
    }
    throw new AssertionError("unbalanced braces");
  }
}
