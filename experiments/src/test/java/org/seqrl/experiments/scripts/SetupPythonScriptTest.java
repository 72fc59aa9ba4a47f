package org.seqrl.experiments.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/setup-python.sh on a machine that lacks what it needs: each case ends with one line saying what to
 * install, and a failed run leaves nothing the next run takes for a finished environment. The script runs as
 * a new user would run it, copied into a temporary project with the real requirements, under a PATH and
 * environment made for the case; the Pythons are the real interpreter behind the project's .venv, made to
 * lack ensurepip (as Debian's python3 without python3-venv does) or to report an old version.
 */
class SetupPythonScriptTest {
  /** What the script uses before it runs any Python, for a PATH that has nothing else. */
  static final List<String> TOOLS = List.of("bash", "env", "sh", "dirname", "cat", "sha256sum", "cut", "head", "sed",
      "tr", "grep", "rm");

  record Result(int exit, List<String> lines) {
    String last() {
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  @TempDir Path tmp;
  Path project;
  Path tools;

  @BeforeEach
  void copyTheScriptIntoAFreshProject() throws IOException {
    Path home = Paths.get(System.getProperty("seqrl.home", "."));
    project = tmp.resolve("project");
    Files.createDirectories(project.resolve("scripts"));
    Files.createDirectories(project.resolve("python"));
    Files.copy(home.resolve("scripts/setup-python.sh"), project.resolve("scripts/setup-python.sh"));
    Files.copy(home.resolve("python/requirements.txt"), project.resolve("python/requirements.txt"));
    tools = tmp.resolve("tools");
    Files.createDirectories(tools);
    for (String tool : TOOLS) {
      Files.createSymbolicLink(tools.resolve(tool), onPath(tool));
    }
  }

  /** The links to tools and interpreters, removed here because JUnit's clean-up warns about each one. */
  @AfterEach
  void removeSymbolicLinks() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      for (Path link : all.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
  }

  @Test
  void noPython3OnPath() throws Exception {
    Result r = run(Map.of("PATH", tools.toString()));
    assertEquals(2, r.exit(), r.lines().toString());
    assertEquals(List.of("setup-python: no python3 on PATH; install Python 3.10 or newer (Debian/Ubuntu: apt-get install"
        + " python3 python3-venv) or set SEQRL_PYTHON to one"), r.lines());
    assertFalse(Files.exists(project.resolve(".venv")));
  }

  @Test
  void python3WithoutEnsurepipAsOnDebianWithoutPython3Venv() throws Exception {
    // Debian ships ensurepip in python3.X-venv: without it `import ensurepip` fails and `python3 -m venv`
    // leaves a .venv without pip behind.
    Path shadow = tmp.resolve("no-ensurepip");
    Files.createDirectories(shadow.resolve("ensurepip"));
    Files.writeString(shadow.resolve("ensurepip/__init__.py"),
        "raise ModuleNotFoundError(\"No module named 'ensurepip'\", name='ensurepip')\n");
    Path bin = tmp.resolve("bin");
    Path python3 = wrapper(bin.resolve("python3"), shadow);
    Result r = run(Map.of("PATH", bin + File.pathSeparator + tools));
    assertEquals(2, r.exit(), r.lines().toString());
    assertEquals(1, r.lines().size(), r.lines().toString());
    String v = realPythonVersion();
    assertEquals("setup-python: " + python3 + " (Python " + v + ") lacks the ensurepip module that creating .venv needs;"
        + " install it (Debian/Ubuntu: apt-get install python" + v + "-venv) or set SEQRL_PYTHON to another Python 3.10+",
        r.last());
    assertFalse(Files.exists(project.resolve(".venv")), "no half-made .venv");
  }

  @Test
  void seqrlPythonOlderThanMlflowNeeds() throws Exception {
    Path shadow = tmp.resolve("old");
    Files.createDirectories(shadow);
    Files.writeString(shadow.resolve("sitecustomize.py"), "import sys\nsys.version_info = (3, 8, 18, 'final', 0)\n");
    Path old = wrapper(tmp.resolve("bin/python3.8"), shadow);
    Result r = run(Map.of("PATH", tools.toString(), "SEQRL_PYTHON", old.toString()));
    assertEquals(2, r.exit(), r.lines().toString());
    assertEquals(List.of("setup-python: " + old + " is Python 3.8; SeqRL's tracking server (mlflow 3.17.2) needs Python 3.10"
        + " or newer: install one and set SEQRL_PYTHON to it (e.g. SEQRL_PYTHON=/usr/bin/python3.12)"), r.lines());
    assertFalse(Files.exists(project.resolve(".venv")));
  }

  @Test
  void seqrlPythonThatIsNotAFile() throws Exception {
    Result r = run(Map.of("PATH", tools.toString(), "SEQRL_PYTHON", tmp.resolve("nowhere/python3").toString()));
    assertEquals(2, r.exit(), r.lines().toString());
    assertEquals(List.of("setup-python: SEQRL_PYTHON=" + tmp.resolve("nowhere/python3") + " is not an executable file;"
        + " point it at a Python 3.10 or newer (e.g. /usr/bin/python3.12)"), r.lines());
  }

  @Test
  void unreachablePackageIndexSaysSoAndAHalfMadeVenvIsMadeAnew() throws Exception {
    // A .venv that an interrupted setup left without pip: the next run must not build on it.
    Path python = realPython();
    Process make = new ProcessBuilder(python.toString(), "-m", "venv", "--without-pip", project.resolve(".venv").toString())
        .redirectErrorStream(true).start();
    assertTrue(make.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, make.exitValue(), new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    // Nothing listens on port 9 (discard) of the loopback address; one retry keeps the test short.
    Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "SEQRL_PYTHON", python.toString(),
        "PIP_INDEX_URL", "http://127.0.0.1:9/", "PIP_RETRIES", "1");
    String expected = "setup-python: pip could not reach the package index http://127.0.0.1:9/ (Connection refused) while"
        + " installing python/requirements.txt; connect to it (or set PIP_INDEX_URL / HTTPS_PROXY for a mirror or proxy)"
        + " and rerun; pip's output is in .setup-python.log";

    Result first = run(env);
    assertEquals(2, first.exit(), first.lines().toString());
    assertEquals(expected, first.last());
    assertTrue(first.lines().get(0).contains("has no working pip") && first.lines().get(0).contains("making it anew"),
        first.lines().toString());
    assertTrue(Files.exists(project.resolve(".venv/bin/pip")), "the .venv was made anew, with pip");
    assertNoStamp();

    // The failed install is not taken for a finished one: the second run tries again and fails the same way.
    Result second = run(env);
    assertEquals(2, second.exit(), second.lines().toString());
    assertEquals(expected, second.last());
    assertFalse(second.lines().toString().contains("making it anew"), "the .venv with pip is kept");
    assertNoStamp();
  }

  void assertNoStamp() throws IOException {
    try (Stream<Path> files = Files.list(project.resolve(".venv"))) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".seqrl-stamp")).toList());
    }
  }

  /** Runs the script with exactly this environment (plus HOME), no find-links: only the index in env counts. */
  Result run(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(project.resolve("scripts/setup-python.sh").toString())
        .directory(project.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("HOME", System.getProperty("user.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("setup-python.sh did not finish: " + out);
    }
    List<String> lines = new ArrayList<>(out.lines().filter(l -> !l.isBlank()).toList());
    return new Result(p.exitValue(), lines);
  }

  /** A python3 that is the real interpreter with {@code shadow} first on its module path. */
  Path wrapper(Path file, Path shadow) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\nPYTHONPATH='" + shadow + "' exec '" + realPython() + "' \"$@\"\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** The interpreter behind the project's .venv (scripts/test.sh creates it), a Python that has venv and ensurepip. */
  static Path realPython() throws IOException {
    Path venvPython = Paths.get(System.getProperty("seqrl.home", ".")).resolve(".venv/bin/python");
    if (!Files.isExecutable(venvPython)) {
      fail("needs the project's Python environment at " + venvPython + "; create it with scripts/setup-python.sh");
    }
    return venvPython.toRealPath();
  }

  static String realPythonVersion() throws Exception {
    Process p = new ProcessBuilder(realPython().toString(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])").start();
    String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    return v;
  }

  static Path onPath(String tool) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      Path candidate = Paths.get(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(tool + " is not on PATH");
  }
}
