package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the README's "Your client" section shows is what runs: each README block marked
 * {@code <!-- recipe: NAME -->} is, line for line, the region between "README recipe: NAME" and
 * "end of README recipe" of one test in this module, and its imports are that test's.
 */
class ReadmeRecipesTest {
  /**
   * README text -> the test's, where a recipe must differ to run here: a key instead of the
   * environment's, and plain-HTTP base URLs (the upstream is replayed on loopback) for clients
   * that read theirs from nowhere else. openai-java and anthropic-java need none: their
   * {@code fromEnv()} reads system properties first.
   */
  static final Map<String, Map<String, String>> TEST_ONLY = Map.of(
      "google-genai", Map.of("System.getenv(\"GEMINI_API_KEY\")", "\"test-key\""),
      "simple-openai", Map.of(".apiKey(System.getenv(\"OPENAI_API_KEY\"))",
          ".apiKey(\"sk-test\").baseUrl(\"http://api.openai.com\")"),
      "theokanning", Map.of("System.getenv(\"OPENAI_API_KEY\")", "\"sk-test\"",
          ".create(OpenAiApi.class);",
          ".newBuilder().baseUrl(\"http://api.openai.com/\").build().create(OpenAiApi.class);"),
      "langchain4j", Map.of(".apiKey(System.getenv(\"OPENAI_API_KEY\"))",
          ".baseUrl(\"http://api.openai.com/v1\").apiKey(\"sk-test\")"));

  private static final Path MODULE =
      Paths.get(System.getProperty("llmpulse.clients.dir", "")).toAbsolutePath();
  private static final Path TESTS = MODULE.resolve("src/test/java/dev/llmpulse/hosts/clients");

  @Test
  void readmeShowsExactlyTheRecipesTheTestsRun() throws IOException {
    Map<String, List<String>> shown = readmeBlocks(readme(), "java");
    Map<String, Region> run = testRegions();

    assertThat(run.keySet()).as("README blocks marked <!-- recipe: NAME -->")
        .containsExactlyInAnyOrderElementsOf(shown.keySet());
    for (Map.Entry<String, List<String>> block : shown.entrySet()) {
      Region region = run.get(block.getKey());
      List<String> code = new ArrayList<>();
      for (String line : block.getValue()) {
        if (line.startsWith("import ")) {
          assertThat(region.source).as("recipe " + block.getKey() + " imports")
              .contains("\n" + line + "\n");
        } else {
          for (Map.Entry<String, String> swap
              : TEST_ONLY.getOrDefault(block.getKey(), Map.of()).entrySet()) {
            line = line.replace(swap.getKey(), swap.getValue());
          }
          code.add(line);
        }
      }
      assertThat(region.lines).as("recipe " + block.getKey()).isEqualTo(trimBlank(code));
    }
  }

  @Test
  void readmeNamesTheVersionsTheTestsRun() throws IOException {
    String readme = readme();
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    Map<String, String> shownAs = new LinkedHashMap<>();
    shownAs.put("openai-java.version", "| openai-java ");
    shownAs.put("google-genai.version", "| google-genai ");
    shownAs.put("simple-openai.version", "| simple-openai ");
    shownAs.put("theokanning.version", "| theokanning `service` ");
    shownAs.put("anthropic-java.version", "| anthropic-java ");
    shownAs.put("langchain4j.version", "| LangChain4j ");
    for (Map.Entry<String, String> row : shownAs.entrySet()) {
      assertThat(readme).as(row.getKey()).contains(row.getValue() + property(pom, row.getKey()) + " |");
    }
    // simple-openai and theokanning need the OkHttp line the tests run with.
    assertThat(readme).contains("`com.squareup.okhttp3:okhttp` " + property(pom, "okhttp4.version"));

    // The jackson-core the README warns about is LLM Pulse's, and the one UnalignedJacksonTest
    // runs with.
    String ours = Pattern.compile("<jackson.version>([^<]+)</")
        .matcher(Files.readString(MODULE.resolve("../../pom.xml"))).results()
        .map(m -> m.group(1)).findFirst().orElseThrow();
    assertThat(property(pom, "unaligned.jackson-core.version")).isEqualTo(ours);
    assertThat(readme).contains("LLM Pulse declares `jackson-core` " + ours);

    // The Jackson BOM the README shows is the one the recipes run with.
    String shownBom = xml(String.join("\n", readmeBlocks(readme, "xml").get("jackson-bom")));
    Matcher bom = Pattern.compile(
        "<dependency>(?:(?!</dependency>).)*<artifactId>jackson-bom</artifactId>.*?</dependency>",
        Pattern.DOTALL).matcher(pom);
    assertThat(bom.find()).isTrue();
    assertThat(shownBom).contains(xml(bom.group())
        .replace("${jackson.version}", property(pom, "jackson.version")));
  }

  @Test
  void recipesRunOnTheOkHttpAndJacksonTheReadmeNames() throws IOException {
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    assertThat(okhttp3.OkHttp.VERSION).isEqualTo(property(pom, "okhttp4.version"));
    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
        .isEqualTo(property(pom, "jackson.version"));
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
        .isEqualTo(property(pom, "jackson.version"));
  }

  private static String readme() throws IOException {
    return Files.readString(MODULE.resolve("../../README.md"));
  }

  /** A property of this module's pom, or of the parent pom when the module has none. */
  private static String property(String pom, String name) throws IOException {
    Pattern pattern = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</");
    Matcher own = pattern.matcher(pom);
    if (own.find()) return own.group(1);
    Matcher parent = pattern.matcher(Files.readString(MODULE.resolve("../../pom.xml")));
    assertThat(parent.find()).as("property " + name).isTrue();
    return parent.group(1);
  }

  /** README blocks of {@code language} right after a {@code <!-- recipe: NAME -->} line. */
  private static Map<String, List<String>> readmeBlocks(String readme, String language) {
    Map<String, List<String>> blocks = new LinkedHashMap<>();
    String[] lines = readme.split("\n", -1);
    for (int i = 0; i + 1 < lines.length; i++) {
      Matcher marker = Pattern.compile("<!-- recipe: (\\S+) -->").matcher(lines[i].trim());
      if (!marker.matches() || !lines[i + 1].equals("```" + language)) continue;
      List<String> block = new ArrayList<>();
      for (int j = i + 2; j < lines.length && !lines[j].equals("```"); j++) {
        block.add(lines[j].stripTrailing());
      }
      blocks.put(marker.group(1), block);
    }
    return blocks;
  }

  private static final class Region {
    final String source;
    final List<String> lines;

    Region(String source, List<String> lines) {
      this.source = source;
      this.lines = lines;
    }
  }

  /** The regions between the recipe markers of every test here, dedented; one per name. */
  private static Map<String, Region> testRegions() throws IOException {
    Map<String, Region> regions = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(TESTS)) {
      files = list.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    String begin = "// README recipe: ";
    for (Path file : files) {
      String source = Files.readString(file);
      String[] lines = source.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i].trim();
        if (!line.startsWith(begin)) continue;
        List<String> region = new ArrayList<>();
        for (int j = i + 1; !lines[j].trim().equals("// end of README recipe"); j++) {
          region.add(lines[j].stripTrailing());
        }
        int indent = Integer.MAX_VALUE;
        for (String r : region) {
          if (!r.isBlank()) indent = Math.min(indent, r.length() - r.stripLeading().length());
        }
        List<String> dedented = new ArrayList<>();
        for (String r : region) dedented.add(r.isBlank() ? "" : r.substring(indent));
        String name = line.substring(begin.length());
        assertThat(regions).as("recipe " + name + " in " + file.getFileName())
            .doesNotContainKey(name);
        regions.put(name, new Region(source, trimBlank(dedented)));
      }
    }
    return regions;
  }

  private static List<String> trimBlank(List<String> lines) {
    int from = 0;
    int to = lines.size();
    while (from < to && lines.get(from).isBlank()) from++;
    while (to > from && lines.get(to - 1).isBlank()) to--;
    return new ArrayList<>(lines.subList(from, to));
  }

  private static String xml(String text) {
    return text.replaceAll("(?s)<!--.*?-->", "").replaceAll("\\s+", "");
  }
}
