package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.seqrl.experiments.tracking.TestServers;

/**
 * What a researcher sees in the MLflow UI, in a real browser (Debian's headless Chromium driven by
 * Selenium): a run and a two-cell sweep are recorded on the test MLflow server, and the links
 * {@code seqrl train} and {@code seqrl sweep} print are opened. Screenshots are kept in
 * {@code experiments/target/browser/} to be looked at.
 *
 * <p>Chromium and chromedriver come from Debian ({@code scripts/setup-browser.sh}, which
 * {@code scripts/test.sh} runs); Selenium is pointed at them so that its Selenium Manager never
 * tries to download a driver. Without them the test fails with a line saying so, unless
 * {@code SEQRL_SKIP_BROWSER=1} asks to skip it.
 */
class MlflowUiBrowserTest {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("SEQRL_CHROMIUM", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("SEQRL_CHROMEDRIVER", "/usr/bin/chromedriver"));
  static final Path SHOTS = Path.of("target", "browser");
  static final Duration PAGE = Duration.ofSeconds(90);

  static WebDriver browser;

  @TempDir static Path tmp;

  @BeforeAll
  static void openBrowser() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      Assumptions.assumeFalse("1".equals(System.getenv("SEQRL_SKIP_BROWSER")), "SEQRL_SKIP_BROWSER=1: browser test skipped");
      fail("the MLflow UI browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
          + " (Debian's chromium and chromium-driver); run scripts/setup-browser.sh, or set SEQRL_SKIP_BROWSER=1 to skip it");
    }
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1800,1100", "--user-data-dir=" + tmp.resolve("profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .withLogFile(SHOTS.resolve("chromedriver.log").toFile())
        .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aNewUserSeesRunsSweepsAndPhasesInModelTrainingMode() throws Exception {
    String uri = TestServers.shared().uri();
    String suffix = Long.toString(System.nanoTime() % 1_000_000);

    // One run: its printed links open the runs table and the run in model-training mode.
    Path cfg = TinyRuns.config(tmp, "ui", 40, 20, "");
    String trainOut = CliRuns.succeeds("train", cfg.toString(), "--output", tmp.resolve("ui-run").toString(), "--progress",
        "lines", "--tracking-uri", uri, "--set", "experiment=ui-train-" + suffix).out();
    String runsLink = link(trainOut, "MLflow runs: ");
    String runLink = link(trainOut, "MLflow run: ");
    assertTrue(runsLink.endsWith("/runs?workflowType=machine_learning"), runsLink);
    try (var maps = Files.walk(tmp.resolve("ui-run/heatmaps"))) {
      Path last = maps.filter(p -> p.toString().endsWith(".png")).sorted().reduce((a, b) -> b).orElseThrow();
      Files.createDirectories(SHOTS);
      Files.copy(last, SHOTS.resolve("heatmap-" + last.getParent().getFileName() + "-" + last.getFileName()),
          StandardCopyOption.REPLACE_EXISTING);
    }

    open(runsLink);
    String table = waitForText("ui-run");
    shot("1-train-runs-table");
    assertModelTraining(table);
    assertTrue(table.contains("Run Name"), "the runs table is shown: " + table);

    // `seqrl mlflow` prints the experiment list, also in model-training mode.
    String home = link(CliRuns.succeeds("mlflow", "--state-dir", TestServers.shared().stateDir().toString()).out(),
        "MLflow UI: ");
    assertEquals(uri + "/#/experiments?workflowType=machine_learning", home);
    open(home);
    String list = waitForText("ui-train-" + suffix);
    shot("0-seqrl-mlflow-experiments");
    assertModelTraining(list);

    // The run's charts: pre-training and RL metrics in sections of their own.
    open(runLink);
    waitForText("Model metrics");
    clickText("Model metrics");
    String charts = waitForText("Add section");
    assertModelTraining(charts);
    java.util.Map<String, Integer> sections = sections(charts);
    // pretrain: loss, token_nll, entropy, grad_norm, lr; rl: 11 charts and no critic_loss (scst has no critic).
    assertEquals(5, sections.get("pretrain"), "chart sections: " + sections);
    assertEquals(11, sections.get("rl"), "chart sections: " + sections);
    assertTrue(sections.containsKey("eval") && sections.containsKey("perf"), "chart sections: " + sections);
    assertTrue(sections.keySet().stream().noneMatch(x -> x.startsWith("train")), "no section mixes the phases: " + sections);
    String rl = filterCharts("rl/", "greedy_reward_levenshtein", "token_nll");
    shot("2-train-run-rl-charts");
    assertTrue(rl.contains("ui-run (rl/entropy)"), rl);
    String pre = filterCharts("pretrain/", "token_nll", "advantage_mean");
    shot("3-train-run-pretrain-charts");
    assertTrue(pre.contains("ui-run (pretrain/loss)"), pre);

    // A two-cell sweep over rewards: distinct child names, a parent with its summary metrics.
    Path sweepCfg = TinyRuns.config(tmp, "ui-sweep", 30, 10, """
        sweep:
          grid:
            rl.reward: [levenshtein, bleu]
          parallel: 2
        """);
    String sweepOut = CliRuns.succeeds("sweep", sweepCfg.toString(), "--output", tmp.resolve("sweep-ui").toString(),
        "--tracking-uri", uri, "--set", "experiment=ui-sweep-" + suffix).out();
    String sweepRuns = link(sweepOut, "MLflow runs: ");
    String parentLink = link(sweepOut, "MLflow sweep run: ");

    open(sweepRuns);
    String sweepTable = waitForText("sweep ui");
    expandParentRow("sweep ui");
    sweepTable = waitForText("bleu");
    shot("4-sweep-runs-table");
    assertModelTraining(sweepTable);
    // Each name is one link in the table: the children are told apart at a glance.
    for (String name : List.of("sweep ui", "levenshtein", "bleu")) {
      assertEquals(1, browser.findElements(By.xpath("//a[normalize-space(.)='" + name + "']")).size(),
          "run name '" + name + "' in the table: " + sweepTable);
    }
    assertFalse(sweepTable.contains("rl.reward="), "no run is named by its raw overrides: " + sweepTable);

    open(parentLink);
    String parent = waitForText("best/final_levenshtein_rate");
    shot("5-sweep-parent-run");
    assertTrue(parent.contains("final_levenshtein_rate/levenshtein") && parent.contains("final_levenshtein_rate/bleu"),
        "the parent shows each cell's final dev metric: " + parent);
    assertTrue(parent.contains("seqrl.sweep.best_cell"), parent);

    // Each cell charts its own reward, not one axis for BLEU and Levenshtein rewards.
    String childId = childRunId(sweepOut, sweepRuns, "bleu");
    open(parentLink.replaceAll("/runs/[0-9a-f]+\\?", "/runs/" + childId + "?"));
    waitForText("Model metrics");
    clickText("Model metrics");
    waitForText("Add section");
    String childCharts = filterCharts("reward_", "reward_bleu", "advantage_mean");
    shot("6-sweep-child-reward-charts");
    assertFalse(childCharts.contains("reward_levenshtein"), "a BLEU cell charts BLEU rewards only: " + childCharts);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * The model-training view, not the GenAI one: its sidebar links the model registry (the GenAI
   * sidebar links prompts, the MCP registry and the AI gateway instead), and none of GenAI's panels show.
   */
  private static void assertModelTraining(String pageText) {
    assertTrue(pageText.contains("Model registry"), "the model-training sidebar: " + pageText);
    assertFalse(pageText.contains("AI Gateway"), "the GenAI sidebar: " + pageText);
    for (String genai : new String[] {"Detect Issues", "Latency", "Token usage"}) {
      assertFalse(pageText.contains(genai), "GenAI panel '" + genai + "' on the page: " + pageText);
    }
    assertTrue(browser.getCurrentUrl().contains("workflowType=machine_learning"), browser.getCurrentUrl());
  }

  /** Sections of the run's chart view and their chart counts: a line followed by a "(N)" line. */
  private static java.util.Map<String, Integer> sections(String pageText) {
    List<String> lines = pageText.lines().map(String::trim).toList();
    java.util.Map<String, Integer> out = new java.util.TreeMap<>();
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i + 1).matches("\\(\\d+\\)")) {
        out.put(lines.get(i), Integer.parseInt(lines.get(i + 1).replaceAll("[()]", "")));
      }
    }
    return out;
  }

  /** Types into the chart search box and waits until {@code expect} shows and {@code hidden} does not. */
  private static String filterCharts(String query, String expect, String hidden) throws Exception {
    WebElement box = browser.findElement(By.cssSelector("input[placeholder*='Search metric charts']"));
    box.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), org.openqa.selenium.Keys.DELETE);
    box.sendKeys(query);
    return waitFor(t -> t.contains(expect) && !t.contains(hidden), "'" + expect + "' without '" + hidden + "'");
  }

  private static void open(String url) {
    browser.get(url);
  }

  /** Waits until the page's text contains {@code text}; returns the text. */
  private static String waitForText(String text) throws Exception {
    return waitFor(t -> t.contains(text), "'" + text + "'");
  }

  private static String waitFor(java.util.function.Predicate<String> ok, String what) throws Exception {
    try {
      new WebDriverWait(browser, PAGE).pollingEvery(Duration.ofMillis(500))
          .until(d -> ok.test(d.findElement(By.tagName("body")).getText()));
    } catch (org.openqa.selenium.TimeoutException e) {
      shot("timeout-" + what.replaceAll("[^A-Za-z0-9]", "_"));
      fail(what + " did not appear within " + PAGE.toSeconds() + " s at " + browser.getCurrentUrl() + "; page text:\n"
          + browser.findElement(By.tagName("body")).getText());
    }
    return browser.findElement(By.tagName("body")).getText();
  }

  private static void clickText(String text) {
    WebElement e = browser.findElement(By.xpath("//*[normalize-space(text())='" + text + "']"));
    e.click();
  }

  /** Opens a parent row: MLflow nests child runs under it, behind an expander button in the name cell. */
  private static void expandParentRow(String parentName) {
    WebElement cell = browser.findElement(By.xpath("//a[normalize-space(.)='" + parentName + "']/ancestor::*[.//button][1]"));
    cell.findElement(By.tagName("button")).click();
  }

  private static void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static String link(String out, String prefix) {
    Matcher m = Pattern.compile(Pattern.quote(prefix) + "(\\S+)").matcher(out);
    assertTrue(m.find(), "no '" + prefix + "' line in:\n" + out);
    return m.group(1);
  }

  private static String childRunId(String sweepOut, String runsLink, String label) throws Exception {
    String uri = runsLink.substring(0, runsLink.indexOf("/#/"));
    String experimentId = runsLink.replaceAll(".*/experiments/([^/]+)/runs.*", "$1");
    var conn = new org.seqrl.experiments.tracking.MlflowConnection(uri,
        org.seqrl.experiments.tracking.MlflowCredentials.NONE);
    return conn.client().searchRuns(List.of(experimentId), "attributes.run_name = '" + label + "'").get(0).getRunId();
  }
}
