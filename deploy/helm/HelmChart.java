import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lints and renders a Helm chart with Helm's own Go code (helm-java's native library), without a helm binary or a
 * cluster. Run through deploy/helm/helm-java.sh:
 *
 *   lint <chart>                                   strict lint with the chart's own values
 *   template <chart> <out-dir> <values.yaml>…      renders the chart with each values file to <out-dir>/<name>.yaml
 *   check <chart> <out-dir> <values.yaml>…         both, in one JVM
 *
 * A values file that does not render leaves <out-dir>/<name>.error with Helm's message (some are meant to fail: the
 * test checks which); the exit code is 1 only when the lint fails.
 */
public final class HelmChart {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) usage();
    Path chart = Path.of(args[1]);
    switch (args[0]) {
      case "lint" -> System.exit(lint(chart));
      case "template" -> {
        if (args.length < 4) usage();
        System.exit(template(chart, Path.of(args[2]), List.of(args).subList(3, args.length)));
      }
      case "check" -> {
        if (args.length < 4) usage();
        int linted = lint(chart);
        System.exit(Math.max(linted, template(chart, Path.of(args[2]), List.of(args).subList(3, args.length))));
      }
      default -> usage();
    }
  }

  /** Strict lint of the chart with its own values (helm-java's lint takes no values file: those are rendered). */
  private static int lint(Path chart) {
    LintResult result = new Helm(chart).lint().strict().call();
    result.getMessages().forEach(m -> System.out.println("[lint] " + m));
    if (result.isFailed()) {
      System.err.println("helm lint failed for " + chart);
      return 1;
    }
    System.out.println("[lint] " + chart + ": passed");
    return 0;
  }

  /**
   * helm-java's template prints the release manifest without its hooks, so the chart is rendered from a copy whose
   * hook annotations are renamed to {@value #UNHIDDEN_HOOK}: the hooks (the migration Job) are rendered and checked
   * too, and still say which hooks they are.
   */
  static final String UNHIDDEN_HOOK = "aftersales.test/helm-hook";

  private static Path withHooksUnhidden(Path chart) throws IOException {
    Path copy = Files.createTempDirectory("aftersales-chart-");
    try (Stream<Path> files = Files.walk(chart)) {
      for (Path source : files.toList()) {
        Path target = copy.resolve(chart.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.writeString(target, Files.readString(source).replace("helm.sh/hook:", UNHIDDEN_HOOK + ":"));
        }
      }
    }
    return copy;
  }

  private static int template(Path original, Path outDir, List<String> valuesFiles) throws Exception {
    Files.createDirectories(outDir);
    Path chart = withHooksUnhidden(original);
    try {
      return render(chart, outDir, valuesFiles);
    } finally {
      try (Stream<Path> files = Files.walk(chart)) {
        for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
      }
    }
  }

  private static int render(Path chart, Path outDir, List<String> valuesFiles) throws IOException {
    List<String> failures = new ArrayList<>();
    for (String values : valuesFiles) {
      Path file = Path.of(values);
      String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      try {
        TemplateCommand command = new Helm(chart).template().withName("aftersales").withNamespace("aftersales");
        String rendered = command.withValuesFile(file).call();
        Files.writeString(outDir.resolve(name + ".yaml"), rendered);
        System.out.println("[template] " + name + ": " + rendered.length() + " characters");
      } catch (RuntimeException e) {
        Files.writeString(outDir.resolve(name + ".error"), String.valueOf(e.getMessage()));
        failures.add(name + ": " + e.getMessage());
      }
    }
    failures.forEach(f -> System.err.println("[template] " + f));
    return 0;
  }

  private static void usage() {
    System.err.println("usage: HelmChart lint <chart> | template|check <chart> <out-dir> <values.yaml>…");
    System.exit(2);
  }
}
