"""A headless Debian chromium driven over the DevTools protocol, for tests of the daemon's page.

Needs Debian's ``chromium`` and ``python3-websocket`` (packaging/install-deps.sh); run it with Debian's
/usr/bin/python3 (a pyenv python3 may come first on PATH without Debian's modules). ``Browser``
starts chromium in its own session with a fresh profile directory, collects console errors, uncaught
exceptions and Content-Security-Policy violations, and on close ends every process it started: its
process group, and any process still naming its profile directory, then checks none is left.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websocket  # python3-websocket

START_TIMEOUT = 30.0  # chromium's first start on a loaded 2-core machine
CALL_TIMEOUT = 30.0

# Run in every page before its own scripts: records CSP violations where a test can read them.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise AssertionError("chromium is not installed (packaging/install-deps.sh installs Debian's chromium)")
    return path


class Browser:
    def __init__(self, width=1280, height=1600):
        self.profile = tempfile.mkdtemp(prefix="asyncdemo-chromium-")
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        argv = [chromium_path(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                f"--window-size={width},{height}", "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}", "about:blank"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        self.errors = []  # console errors, exceptions, failed loads: (kind, text)
        self.ws = None
        self._next_id = 0
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def _connect(self):
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + START_TIMEOUT
        while not (os.path.exists(port_file) and os.path.getsize(port_file) > 0):
            if self.proc.poll() is not None:
                raise AssertionError(f"chromium exited with {self.proc.returncode} before it listened")
            if time.monotonic() > deadline:
                raise AssertionError(f"chromium did not start within {START_TIMEOUT}s")
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.readline())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=CALL_TIMEOUT) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")
        # suppress_origin: chromium refuses DevTools websockets whose Origin it was not told to allow
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=CALL_TIMEOUT,
                                              suppress_origin=True)
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(method)
        self.call("Page.addScriptToEvaluateOnNewDocument", source=CSP_PROBE)

    def _event(self, msg):
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append(("console", " ".join(str(a.get("value", a.get("description"))) for a in p["args"])))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append(("exception", d.get("exception", {}).get("description", d.get("text"))))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            self.errors.append((e.get("source", "log"), f"{e['text']} {e.get('url', '')}".strip()))

    def call(self, method, **params):
        self._next_id += 1
        my_id = self._next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)
        raise AssertionError(f"{method}: no answer within {CALL_TIMEOUT}s")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable), awaiting promises."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expression!r} threw: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", url=url)

    def press(self, key, code, keycode, text=None):
        """One key press (down and up) into the focused element, as a keyboard user would."""
        extra = {"text": text} if text else {}
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=keycode, **extra)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=keycode)

    def wait_for(self, expression, timeout, interval=0.1, message=None):
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{message or expression} not true within {timeout}s")
            time.sleep(interval)

    def screenshot(self, path):
        import base64
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def csp_violations(self):
        return self.evaluate("window.__cspViolations || []")

    # -- ending it

    def _leftovers(self):
        """PIDs of processes that belong to this browser: its process group, or naming its profile."""
        found = []
        marker = self.profile.encode()
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            state, pgid = fields[0], int(fields[2])
            if state == b"Z":
                continue
            if pgid == self.proc.pid or marker in cmdline:
                found.append(pid)
        return found

    def close(self):
        """Ends chromium and every process it started; raises if one is left."""
        if self.ws is not None:
            try:
                self.ws.send(json.dumps({"id": 0, "method": "Browser.close"}))
            except Exception:
                pass
            self.ws.close()
            self.ws = None
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        # The renderers and the zygote may outlive the browser process: end the group, then stragglers.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        left = self._leftovers()
        while left and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
            left = self._leftovers()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
        if left:
            raise AssertionError(f"chromium processes left running: {left}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
