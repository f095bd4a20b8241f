"""asyncdemoctl in Ukrainian (issue 17): the real binary under uk_UA.UTF-8 (and LANGUAGE=uk with C.UTF-8)
speaks the catalogue built from po/uk.po, with Ukrainian's three plural forms, reports and timelines
aligned in display cells; C.UTF-8 speaks English; --json is the same document in every locale."""

import json
import os
import pty
import re
import select
import shutil
import subprocess
import tempfile
import unittest
import unicodedata

import harness

LOCALEDIR = os.environ.get("ASYNCDEMO_LOCALEDIR", "")
EXIT_USAGE = 64


def system_has_uk_locale():
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    return any(name.lower() in ("uk_ua.utf8", "uk_ua.utf-8") for name in out)


def cells(text):
    """Terminal cells of text: one per character, none for combining marks (all this output has)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


LOCPATH = None  # a private uk_UA.UTF-8 when the system has none (setUpModule)


def setUpModule():
    global LOCPATH
    if not LOCALEDIR or not os.path.isfile(os.path.join(LOCALEDIR, "uk", "LC_MESSAGES", "asyncdemo.mo")):
        raise AssertionError(f"no built catalogue under ASYNCDEMO_LOCALEDIR={LOCALEDIR!r}")
    if not system_has_uk_locale():
        # packaging/install-deps.sh generates it; without it, build one for these tests alone (LOCPATH)
        LOCPATH = tempfile.mkdtemp(prefix="asyncdemo-locale-")
        subprocess.run(["localedef", "-i", "uk_UA", "-f", "UTF-8", os.path.join(LOCPATH, "uk_UA.UTF-8")],
                       check=True, capture_output=True)


def tearDownModule():
    if LOCPATH:
        shutil.rmtree(LOCPATH, ignore_errors=True)


def shape(value):
    """A JSON value with what a measurement changes taken out: numbers and null are "N", a timestamp "T",
    and an array the distinct shapes of its items (a histogram has as many buckets as the values need)."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return sorted({json.dumps(shape(v)) for v in value})
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return "N"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
        return "T"
    return value


class UkrainianTest(harness.SharedDaemonTestCase):
    def run_in(self, lang, *args, language=None):
        env = {"ASYNCDEMO_LOCALEDIR": LOCALEDIR, "LC_ALL": None, "LC_MESSAGES": None, "LANG": lang,
               "LANGUAGE": language, "LOCPATH": LOCPATH, "NO_COLOR": "1"}
        return harness.run_ctl(*args, env=env, timeout=30)

    def uk(self, *args):
        return self.run_in("uk_UA.UTF-8", *args)

    def en(self, *args):
        return self.run_in("C.UTF-8", *args)

    def bench(self, run, n, *extra):
        return run("bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "--delay", "0", "-n", n, "-c", n,
                   "--no-progress", *extra)

    # ---- words ----

    def test_usage_error(self):
        uk = self.uk("bench", "-n", "x")
        self.assertEqual(uk.returncode, EXIT_USAGE, uk)
        self.assertEqual(uk.stderr.splitlines(), ["asyncdemoctl: -n: 'x' — не ціле число",
                                                  "Докладніше: 'asyncdemoctl bench --help'."])
        en = self.en("bench", "-n", "x")
        self.assertEqual(en.returncode, EXIT_USAGE, en)
        self.assertEqual(en.stderr.splitlines(), ["asyncdemoctl: -n: 'x' is not a whole number",
                                                  "Try 'asyncdemoctl bench --help' for more information."])

    def test_help_keeps_every_flag(self):
        for command in ("bench", "compare", "stats", "demo", "report"):
            uk, en = self.uk(command, "--help"), self.en(command, "--help")
            self.assertEqual((uk.returncode, en.returncode), (0, 0))
            self.assertTrue(uk.stdout.startswith(f"Використання: asyncdemoctl {command} "), uk.stdout)
            self.assertEqual(set(re.findall(r"--[a-z-]+", uk.stdout)), set(re.findall(r"--[a-z-]+", en.stdout)))

    def test_language_variable_with_c_utf8(self):
        """LANGUAGE chooses the catalogue when the locale is C.UTF-8 (not in the plain C locale: GNU gettext)."""
        proc = self.run_in("C.UTF-8", "bench", "-n", "x", language="uk")
        self.assertIn("не ціле число", proc.stderr)
        proc = self.run_in("C", "bench", "-n", "x", language="uk")
        self.assertIn("is not a whole number", proc.stderr)

    def test_daemon_down(self):
        port = harness.free_port()
        proc = self.uk("stats", f"http://127.0.0.1:{port}")
        self.assertEqual(proc.returncode, 2, proc)
        self.assertEqual(proc.stderr.strip(), f"не вдається з'єднатися з 127.0.0.1:{port} — чи запущено asyncdemod? "
                                              "(systemctl start asyncdemod)")

    # ---- plurals and the report ----

    def test_plurals(self):
        """1 and 21: запит; 2: запити; 5: запитів (the report's totals line and the timeline's count)."""
        for n, word, errors in ((1, "запит", "помилок"), (2, "запити", "помилок"), (5, "запитів", "помилок"),
                                (21, "запит", "помилок")):
            proc = self.bench(self.uk, n)
            self.assertEqual(proc.returncode, 0, proc)
            # (the parts may wrap at 80 columns)
            self.assertRegex(proc.stdout, rf"(?m)^  {n} {word}, загальний час \d+\.\d{{3}}s,\s+[\d.]+ запит\./с,\s+"
                                          rf"{n} успішно,\s+0 {errors}")
        # the timeline's "more not shown": 21 records, 20 rows, "ще 1 запит"; 25 -> "ще 5 запитів"
        proc = self.bench(self.uk, 21)
        self.assertIn("  ... ще 1 запит не показано", proc.stdout)
        proc = self.bench(self.uk, 25)
        self.assertIn("  ... ще 5 запитів не показано", proc.stdout)
        proc = self.bench(self.uk, 22)
        self.assertIn("  ... ще 2 запити не показано", proc.stdout)

    def test_report_aligned(self):
        proc = self.bench(self.uk, 12)
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout.splitlines()
        # per-request lines: the three times start at the same cell on every line
        rows = [line for line in out if re.match(r"  #\d+ +надіслано", line)]
        self.assertEqual(len(rows), 12, proc.stdout)
        for word in ("надіслано", "завершено", "тривав"):
            self.assertEqual(len({cells(r[:r.index(word)]) for r in rows}), 1, (word, rows))
        # the section heads pad to the same cell (13) in Cyrillic as in English
        for head in ("  затримка", "  статуси", "  помилки"):
            line = next(l for l in out if l.startswith(head))
            self.assertEqual(cells(re.match(r"^(\s*\S+\s+)", line).group(1)), 13, line)
        self.assert_timeline_aligned(out)

    def assert_timeline_aligned(self, out):
        start = out.index(next(l for l in out if l.startswith("часова шкала (1 стовпчик = ")))
        self.assertEqual(out[start + 1], "  ░ у черзі  █ обслуговано  ▒ невдача")
        bars = [l for l in out[start:] if re.match(r"  #\d+ +\|", l)]
        axis = next(l for l in out[start:] if re.match(r" +\+-", l))
        self.assertTrue(bars)
        left = {cells(b[:b.index("|")]) for b in bars}
        right = {cells(b[:b.rindex("|")]) for b in bars}
        self.assertEqual(left, {cells(axis[:axis.index("+")])}, bars)
        self.assertEqual(right, {cells(axis[:axis.rindex("+")])}, bars)

    def test_compare_ranking_aligned(self):
        proc = self.uk("compare", "-n", "2", "--modes", "sequential,async", "--no-progress",
                       self.daemon.url("/delay/0"))
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout.splitlines()
        head = next(i for i, l in enumerate(out) if l.startswith("  #  режим"))
        table = out[head:head + 3]
        # every column ends (or starts) at the same cell as its heading
        h = table[0]
        mode_end = cells(h[:h.index("режим")])
        self.assertEqual({cells(r[:r.index(r.split()[1])]) for r in table[1:]}, {mode_end}, table)
        for word in ("час", "успішно"):
            end = cells(h[:h.index(word) + len(word)])
            self.assertEqual({cells(r[:m.end()]) for r in table[1:]
                              for m in [list(re.finditer(r"\S+", r))[{"час": 2, "успішно": 3}[word]]]}, {end}, table)
        self.assertIn("до найшвидшого", h)
        self.assert_timeline_aligned(out)

    def test_stats_view(self):
        proc = self.uk("stats", self.daemon.base_url)
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout.splitlines()
        for label in ("з'єднання", "цикл подій", "налаштування"):
            line = next(l for l in out if l.startswith(label + " "))
            self.assertEqual(cells(label) + len(line[len(label):]) - len(line[len(label):].lstrip(" ")), 13, line)
        self.assertRegex(proc.stdout, r"відкрито \d+  усього \d+")
        head = next(l for l in out if l.startswith("ендпоінт"))
        rows = [l for l in out if re.match(r"^/(non-blocking|blocking|offload) ", l)]
        # the table's right-aligned columns: each heading ends where its numbers end
        heads = list(re.finditer(r"\S+(?: \S+)?(?=  |$)", head))[1:]
        for row in rows:
            ends = [cells(row[:m.end()]) for m in re.finditer(r"\S+", row)][1:]
            self.assertEqual(ends, [cells(head[:m.end()]) for m in heads], (head, row))

    def test_demo_lesson(self):
        proc = self.uk("demo", "--delay", "0.1", "-n", "2", "--no-progress", self.daemon.base_url)
        self.assertEqual(proc.returncode, 0, proc)
        for text in ("=== Частина 1: бік клієнта ===\n2 запити до ", "=== Частина 2: бік сервера (",
                     "по 2 паралельні запити до /blocking", "\nЩо це показує\n",
                     "  Для I/O чекайте в циклі подій: 2 запити до /non-blocking тривали загалом ",
                     "  Ніколи не спіть у ньому: /blocking тривав "):
            self.assertIn(text, proc.stdout)
        self.assertRegex(proc.stdout, r"(?m)^/blocking повільніший за /non-blocking у \d+\.\d\d разів$")

    def test_english_in_c_utf8(self):
        proc = self.bench(self.en, 2)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertRegex(proc.stdout, r"(?m)^  2 requests in \d+\.\d{3}s, ")
        self.assertIn("\ntimeline (1 column = ", proc.stdout)
        self.assertNotRegex(proc.stdout, r"[а-яіїєґ]")
        for args, want in ((("stats", self.daemon.base_url), r"(?m)^connections  +open \d+  total \d+"),
                           (("compare", "-n", "1", "--modes", "async", "--no-progress", self.daemon.url("/delay/0")),
                            r"(?m)^  1 request in \d+\.\d{3}s,")):
            proc = self.en(*args)
            self.assertEqual(proc.returncode, 0, proc)
            self.assertRegex(proc.stdout, want)
            self.assertNotRegex(proc.stdout, r"[а-яіїєґ]")

    # ---- report: bench --json documents read back ----

    def documents(self, tmp, n):
        """n bench --json documents in tmp: one measured open-model run with figures over time (made once for
        the class), the others copies of it with another start and host (report refuses the same run twice)."""
        cls = type(self)
        if getattr(cls, "_document", None) is None:
            proc = self.bench(self.en, 12, "--rate", "100", "--interval", "20ms", "--json")
            self.assertEqual(proc.returncode, 0, proc)
            cls._document = json.loads(proc.stdout)
        files = []
        for i in range(n):
            doc = json.loads(json.dumps(cls._document))
            doc["started"] = re.sub(r"\.\d+Z$", f".{i:09d}Z", doc["started"])
            doc["options"]["host"] = f"host-{i}"
            files.append(os.path.join(tmp, f"{i}.json"))
            with open(files[-1], "w") as f:
                json.dump(doc, f)
        return files

    def test_report_words_and_plurals(self):
        """The heading: 1 and 21 документ / вузол, 2 документи / вузли, 5 документів / вузлів; English in C.UTF-8."""
        with tempfile.TemporaryDirectory(prefix="asyncdemo-i18n-") as tmp:
            files = self.documents(tmp, 21)
            for n, doc, host in ((1, "документ", "вузол"), (2, "документи", "вузли"), (5, "документів", "вузлів"),
                                 (21, "документ", "вузол")):
                proc = self.uk("report", "--no-timeline", *files[:n])
                self.assertEqual(proc.returncode, 0, proc)
                out = proc.stdout.splitlines()
                self.assertEqual(out[:2], [f"report: об'єднано {n} {doc} bench: " + ", ".join(files[:n]),
                                           f"звідки: {n} {host}"])
                # nothing the results work added is left in English
                self.assertNotRegex(proc.stdout, r"\b(over time|per|to|documents?|hosts?|req/s|late)\b")
            proc = self.en("report", "--no-timeline", *files[:2])
            self.assertEqual(proc.returncode, 0, proc)
            self.assertEqual(proc.stdout.splitlines()[:2], ["report: 2 bench documents merged: " + ", ".join(files[:2]),
                                                            "from 2 hosts"])
            self.assertNotRegex(proc.stdout, r"[а-яіїєґ]")

    def test_report_sparklines_aligned(self):
        """The figures over time: the head pads to cell 13, the labels (Ukrainian ones longer than English's 7
        cells) pad to one width in cells, so the marks and the ranges start at one cell on every row."""
        with tempfile.TemporaryDirectory(prefix="asyncdemo-i18n-") as tmp:
            files = self.documents(tmp, 1)
            for run, head, per, rng in ((self.uk, "  у часі", "за 20ms", r"  від \S+ до \S+$"),
                                        (self.en, "  over time", "per 20ms", r"  \S+ to \S+$")):
                proc = run("report", "--no-timeline", files[0])
                self.assertEqual(proc.returncode, 0, proc)
                out = proc.stdout.splitlines()
                at = next(i for i, l in enumerate(out) if l.startswith(head))
                self.assertEqual(cells(out[at][:out[at].index(per)]), 13, out[at])
                rows = []
                for line in out[at + 1:]:
                    if not line.startswith(" " * 13):
                        break
                    rows.append(line)
                self.assertGreaterEqual(len(rows), 2, proc.stdout)  # requests per second and p99 at least
                self.assertTrue(rows[0][13:].startswith("запит./с " if run == self.uk else "req/s   "), rows)
                self.assertTrue(all(r[13] != " " for r in rows), rows)
                # as many marks on every row: the ranges start at one cell when the labels pad to one width
                self.assertEqual(len({cells(r[:re.search(rng, r).start()]) for r in rows}), 1, rows)

    def test_report_thresholds(self):
        """--fail-if's verdicts in Ukrainian (the text report and the HTML page, whose <html lang> says so); the
        JSON's thresholds stay English."""
        with tempfile.TemporaryDirectory(prefix="asyncdemo-i18n-") as tmp:
            files = self.documents(tmp, 1)
            html = os.path.join(tmp, "report.html")
            args = ("--fail-if", "p99>1h", "--fail-if", "all:rps<1000000", "--fail-if", "none:max>1s", files[0])
            proc = self.uk("report", "--no-timeline", "--html", html, *args)
            self.assertEqual(proc.returncode, 3, proc)
            self.assertIn("\nпороги (--fail-if): порушено 2 з 3\n", proc.stdout)
            self.assertRegex(proc.stdout, r"(?m)^  пройдено p99>1h: \S+ на /non-blocking$")
            self.assertRegex(proc.stdout, r"(?m)^  НЕ ПРОЙДЕНО all:rps<1000000: [\d.]+ запит\./с на всіх прогонах, "
                                          r"менше на [\d.]+ запит\./с$")
            self.assertRegex(proc.stdout, r"(?m)^  НЕ ПРОЙДЕНО none:max>1s: немає прогону 'none'$")
            with open(html, encoding="utf-8") as f:
                page = f.read()
            for text in ('<html lang="uk">', "<h3>Гістограма затримок</h3>", "<th>прогін</th>", "НЕ ПРОЙДЕНО"):
                self.assertIn(text, page)
            proc = self.en("report", "--no-timeline", "--html", html, *args)
            self.assertEqual(proc.returncode, 3, proc)
            self.assertIn("\nthresholds (--fail-if): 2 of 3 broken\n", proc.stdout)
            self.assertRegex(proc.stdout, r"(?m)^  FAILED all:rps<1000000: [\d.]+ req/s on all runs, under by ")
            with open(html, encoding="utf-8") as f:
                page = f.read()
            self.assertIn('<html lang="en">', page)
            self.assertNotRegex(page, r"[а-яіїєґ]")
            proc = self.uk("report", "--json", *args)
            self.assertEqual(proc.returncode, 3, proc)
            self.assertTrue(proc.stdout.isascii(), proc.stdout)
            self.assertIn("all runs", [t["run"] for t in json.loads(proc.stdout)["thresholds"]])

    def test_report_fail_if_error(self):
        with tempfile.TemporaryDirectory(prefix="asyncdemo-i18n-") as tmp:
            files = self.documents(tmp, 1)
            uk = self.uk("report", "--fail-if", "p99>", files[0])
            self.assertEqual(uk.returncode, EXIT_USAGE, uk)
            self.assertEqual(uk.stderr.splitlines(), ["asyncdemoctl: --fail-if: 'p99>' не має значення після '>'",
                                                      "Докладніше: 'asyncdemoctl report --help'."])
            en = self.en("report", "--fail-if", "p99>", files[0])
            self.assertEqual(en.returncode, EXIT_USAGE, en)
            self.assertEqual(en.stderr.splitlines(), ["asyncdemoctl: --fail-if: 'p99>' has no value after '>'",
                                                      "Try 'asyncdemoctl report --help' for more information."])

    # ---- machine output ----

    def test_journal_threshold_fields_stay_english(self):
        """The report says "запит./с"; the journal's ASYNCDEMO_FAIL_IF keeps "req/s" (the stderr fallback's
        fields; where journald runs, test_ctl_notify reads them back)."""
        if os.path.exists("/run/systemd/journal/socket"):
            self.skipTest("journald runs: its entries are not on stderr")
        proc = self.bench(self.uk, 2, "--journal", "--fail-if", "rps>0")
        self.assertEqual(proc.returncode, 3, proc)
        self.assertRegex(proc.stdout, r"(?m)^  НЕ ПРОЙДЕНО rps>0: [\d.]+ запит\./с на /non-blocking, більше на ")
        self.assertRegex(proc.stderr, r' ASYNCDEMO_FAIL_IF="rps>0: [\d.]+ req/s"$')

    def test_json_the_same_in_every_locale(self):
        """--json in uk_UA.UTF-8 and C.UTF-8: the same document apart from the measured figures, which vary
        between runs; its keys, strings and decimal points never follow the locale (the writer's bytes under
        both locales, for the same runs: unit.test_i18n)."""
        docs = []
        for run in (self.uk, self.en):
            proc = self.bench(run, 2, "--json")
            self.assertEqual(proc.returncode, 0, proc)
            self.assertTrue(proc.stdout.isascii(), proc.stdout)
            self.assertNotRegex(proc.stdout, r"\d,\d")
            docs.append(proc.stdout)
        # the same document apart from the measured figures (numbers, a server wait that may be null, the
        # histogram's number of buckets) and the times: same keys, same strings, same order
        self.assertEqual(shape(json.loads(docs[0])), shape(json.loads(docs[1])))
        self.assertEqual(json.loads(docs[0])["runs"][0]["name"], "/non-blocking")
        stats = [json.loads(run("stats", "--json", self.daemon.base_url).stdout) for run in (self.uk, self.en)]
        self.assertEqual(stats[0].keys(), stats[1].keys())

    def test_json_byte_for_byte_from_the_same_runs(self):
        """The same runs written as JSON in uk_UA.UTF-8 and C.UTF-8 are the same bytes: report --json over one
        measured document (a measured run differs between two runs, the program's writing of it must not)."""
        with tempfile.TemporaryDirectory(prefix="asyncdemo-i18n-") as tmp:
            files = self.documents(tmp, 2)
            out = [run("report", "--json", *files) for run in (self.uk, self.en)]
        for proc in out:
            self.assertEqual(proc.returncode, 0, proc)
        self.assertTrue(out[0].stdout.isascii(), out[0].stdout[:200])
        self.assertEqual(out[0].stdout, out[1].stdout)
        self.assertIn('"p99"', out[0].stdout)  # percentiles, rates and series: decimal points, not commas


class DaemonTest(unittest.TestCase):
    """asyncdemod speaks Ukrainian to a terminal (--help, usage and configuration errors) and English to
    everything else: under systemd its stderr is the journal, no terminal."""

    def run_daemon(self, lang, *args, tty=True):
        env = harness.clean_env({"ASYNCDEMO_LOCALEDIR": LOCALEDIR, "LC_ALL": None, "LANGUAGE": None, "LANG": lang,
                                 "LOCPATH": LOCPATH})
        if not tty:
            proc = subprocess.run([harness.daemon_path(), *args], capture_output=True, text=True, env=env, timeout=10)
            return proc.returncode, proc.stdout, proc.stderr
        leader, follower = pty.openpty()
        try:
            proc = subprocess.run([harness.daemon_path(), *args], stdout=subprocess.PIPE, stderr=follower, env=env,
                                  timeout=10)
            err = b""
            while select.select([leader], [], [], 0.2)[0]:
                err += os.read(leader, 65536)
        finally:
            os.close(leader)
            os.close(follower)
        return proc.returncode, proc.stdout.decode(), err.decode().replace("\r\n", "\n")

    def test_help(self):
        rc, out, _ = self.run_daemon("uk_UA.UTF-8", "--help")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("Використання: asyncdemod [ПАРАМЕТР]...\nHTTP-демон, що показує, "), out)
        self.assertIn("  --threads N              потоки циклу подій, від 1 до 64 (типово 1)\n", out)
        _, en, _ = self.run_daemon("uk_UA.UTF-8", "--help", tty=False)
        self.assertEqual(set(re.findall(r"--[a-z-]+", out)), set(re.findall(r"--[a-z-]+", en)))
        # the intro wraps at 100 cells, not bytes
        self.assertTrue(all(cells(line) <= 100 for line in out.splitlines()[:4]), out)
        self.assertGreater(max(cells(line) for line in out.splitlines()[1:3]), 90, out)

    def test_usage_and_config_errors(self):
        rc, _, err = self.run_daemon("uk_UA.UTF-8", "--threads", "0")
        self.assertEqual((rc, err), (64, "asyncdemod: --threads: 0 поза межами (від 1 до 64)\n"
                                         "Докладніше: 'asyncdemod --help'.\n"))
        rc, _, err = self.run_daemon("uk_UA.UTF-8", "--max-delay", "2x")
        self.assertIn("має невідому одиницю (ns, us, ms, s, m або h)", err)
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
            conf.write("pool-size = 1000\n")
            conf.flush()
            rc, _, err = self.run_daemon("uk_UA.UTF-8", "--config", conf.name)
            self.assertEqual(rc, 64)
            self.assertIn(f"{conf.name}:1: ключ 'pool-size': 1000 поза межами (від 1 до 256)", err)

    def test_english_without_a_terminal_or_in_c(self):
        for lang, tty in (("uk_UA.UTF-8", False), ("C.UTF-8", True)):
            rc, _, err = self.run_daemon(lang, "--threads", "0", tty=tty)
            self.assertEqual((rc, err), (64, "asyncdemod: --threads: 0 is out of range (1 to 64)\n"
                                             "Try 'asyncdemod --help' for more information.\n"), (lang, tty))


if __name__ == "__main__":
    unittest.main()
